"""Streaks, hours and "today" in the learner's profile zone, through the API."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

from aksio.bootstrap import System
from aksio.core.clock import FixedClock
from tests.learning.support import BASE, at, ok, study


def account(client: TestClient, timezone: str) -> dict[str, str]:
    """Registers a learner (the clock must show wall time: tokens expire) in `timezone`."""
    body = {"email": f"{uuid.uuid4().hex[:10]}@example.com", "password": "correct horse battery"}
    session = ok(client.post("/api/v1/accounts/register/", json=body), 201)
    headers = {"Authorization": f"Bearer {session['access']}"}
    set_zone(client, headers, timezone)
    return headers


def set_zone(client: TestClient, headers: dict[str, str], timezone: str) -> None:
    ok(client.patch("/api/v1/accounts/profile/", json={"timezone": timezone}, headers=headers))


def stats(client: TestClient, headers: dict[str, str], **query: str) -> Any:
    return ok(client.get(f"{BASE}/study-sessions/stats/", params=query, headers=headers))


def test_midnight_is_the_learners(client: TestClient, system: System, clock: FixedClock) -> None:
    me = account(client, "Europe/Oslo")
    study(client, clock, me, "2024-01-15T22:30", 20)  # 23:30 in Oslo, Jan 15
    study(client, clock, me, "2024-01-15T23:30", 20)  # 00:30 in Oslo, Jan 16
    at(clock, "2024-01-16T12:00")
    figures = stats(client, me)
    assert (figures["timezone"], figures["active_days"]) == ("Europe/Oslo", 2)
    assert figures["current_streak"] == {"current": 2, "longest": 2}
    assert [h["hour"] for h in figures["sessions_by_hour"]] == [0, 23]
    set_zone(client, me, "UTC")  # the same history read in the new zone: one day
    assert stats(client, me)["current_streak"] == {"current": 1, "longest": 1}
    assert stats(client, me, start_date="2024-01-15", end_date="2024-01-15")["total_sessions"] == 2


def test_daylight_saving_keeps_the_streak(
    client: TestClient, system: System, clock: FixedClock
) -> None:
    me = account(client, "America/New_York")
    # 21:30 local on Mar 9, 10 (clocks spring forward at 02:00 on Mar 10) and 11
    for start in ("2024-03-10T02:30", "2024-03-11T01:30", "2024-03-12T01:30"):
        study(client, clock, me, start, 30)
    at(clock, "2024-03-12T03:00")  # 23:00 on Mar 11 in New York
    figures = stats(client, me)
    assert figures["current_streak"] == {"current": 3, "longest": 3}
    assert figures["sessions_by_hour"] == [
        {
            "hour": 21,
            "count": 3,
            "avg_duration": 30.0,
            "total_minutes": 90.0,
            "avg_productivity": None,
        }
    ]
    dashboard = ok(client.get("/api/v1/accounts/dashboard/", headers=me))
    assert dashboard["study_streak"] == {"current": 3, "longest": 3}
    assert (dashboard["today"], dashboard["weekly_hours"]) == ("2024-03-11", 1.5)


def test_today_and_plan_start_follow_the_zone(
    client: TestClient, system: System, clock: FixedClock
) -> None:
    me = account(client, "Pacific/Auckland")
    at(clock, "2024-01-19T20:00")  # already Jan 20, 09:00 in Auckland
    plan = ok(client.post(f"{BASE}/study-plans/", json={"title": "P"}, headers=me), 201)
    assert plan["start_date"] == "2024-01-20"
    ok(
        client.post(
            f"{BASE}/goals/",
            json={"study_plan": plan["id"], "title": "G", "estimated_hours": 1},
            headers=me,
        ),
        201,
    )
    body = {"preferred_times": ["morning"], "include_weekends": True}
    days = ok(
        client.post(f"{BASE}/study-plans/{plan['id']}/generate_schedule/", json=body, headers=me)
    )
    assert days[0]["date"] == "2024-01-20"
    assert days[0]["sessions"][0]["time_slot"] == {"start": "09:00", "end": "10:00"}
