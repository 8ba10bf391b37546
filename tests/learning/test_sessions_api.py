"""Study sessions over HTTP: start, complete with progress, stats, streaks and errors."""

from __future__ import annotations

from fastapi.testclient import TestClient

from aksio.bootstrap import System
from aksio.core.clock import FixedClock
from tests.conftest import assert_envelope
from tests.learning.support import BASE, at, learner, make_goal, make_plan, ok, study

SESSIONS = f"{BASE}/study-sessions"


def test_start_and_complete_applies_progress(
    client: TestClient, system: System, clock: FixedClock
) -> None:
    me = learner(system)
    plan = make_plan(client, me)
    a = make_goal(client, me, plan["id"], estimated_hours=8)
    b = make_goal(client, me, plan["id"], estimated_hours=2)
    at(clock, "2024-01-19T18:00")
    body = {
        "study_plan": plan["id"],
        "session_type": "focused_study",
        "planned_duration_minutes": 90,
        "focus_areas": ["chain_rule"],
        "learning_objectives": ["Complete practice problems"],
    }
    started = ok(client.post(f"{SESSIONS}/", json=body, headers=me), 201)
    assert (started["status"], started["started_at"]) == ("in_progress", "2024-01-19T18:00:00Z")
    clock.advance(minutes=95)
    done = ok(
        client.post(
            f"{SESSIONS}/{started['id']}/complete/",
            headers=me,
            json={
                "productivity_rating": 4,
                "notes": "good",
                "topics_covered": ["chain_rule"],
                "goals_worked_on": [a["id"]],
                "progress_updates": [{"goal_id": b["id"], "progress_percentage": 100}],
            },
        )
    )
    assert (done["status"], done["duration_minutes"]) == ("completed", 95)
    assert done["goals_worked_on"] == [a["id"], b["id"]]
    goal_a = ok(client.get(f"{BASE}/goals/{a['id']}/", headers=me))
    goal_b = ok(client.get(f"{BASE}/goals/{b['id']}/", headers=me))
    assert (goal_a["hours_spent"], goal_a["sessions_count"]) == (0.79, 1)
    assert (goal_b["status"], goal_b["completed_at"]) == ("completed", "2024-01-19T19:35:00Z")
    again = client.post(f"{SESSIONS}/{started['id']}/complete/", json={}, headers=me)
    assert_envelope(again, 409, "INVALID_STATE")
    assert ok(client.get(f"{SESSIONS}/?status=completed", headers=me))["count"] == 1


def test_completion_is_all_or_nothing(client: TestClient, system: System) -> None:
    me, other = learner(system), learner(system)
    goal = make_goal(client, me, make_plan(client, me)["id"])
    theirs = make_goal(client, other, make_plan(client, other)["id"])
    session = ok(client.post(f"{SESSIONS}/", json={}, headers=me), 201)
    url = f"{SESSIONS}/{session['id']}/complete/"
    updates = [
        {"goal_id": goal["id"], "progress_percentage": 50},
        {"goal_id": theirs["id"], "progress_percentage": 50},
    ]
    response = client.post(url, json={"progress_updates": updates}, headers=me)
    assert "progress_updates.1" in assert_envelope(response, 422, "VALIDATION_ERROR")["details"]
    assert ok(client.get(f"{BASE}/goals/{goal['id']}/", headers=me))["progress_percentage"] == 0
    assert ok(client.get(f"{SESSIONS}/{session['id']}/", headers=me))["status"] == "in_progress"
    client.post(f"{BASE}/goals/{goal['id']}/complete/", headers=me)
    frozen = client.post(url, json={"progress_updates": updates[:1]}, headers=me)
    assert_envelope(frozen, 409, "INVALID_STATE")


def test_patch_and_delete(client: TestClient, system: System, clock: FixedClock) -> None:
    me = learner(system)
    goal = make_goal(client, me, make_plan(client, me)["id"])
    done = study(client, clock, me, "2024-01-19T10:00", 60, goals_worked_on=[goal["id"]])
    url = f"{SESSIONS}/{done['id']}/"
    patched = ok(
        client.patch(url, json={"notes": "later thoughts", "productivity_rating": 2}, headers=me)
    )
    assert (patched["notes"], patched["productivity_rating"]) == ("later thoughts", 2)
    assert_envelope(
        client.patch(url, json={"session_type": "nap"}, headers=me), 422, "VALIDATION_ERROR"
    )
    assert ok(client.get(f"{SESSIONS}/stats/", headers=me))["total_sessions"] == 1
    assert client.delete(url, headers=me).status_code == 204
    assert ok(client.get(f"{SESSIONS}/stats/", headers=me))["total_sessions"] == 0
    assert ok(client.get(f"{BASE}/goals/{goal['id']}/", headers=me))["hours_spent"] == 0
    assert_envelope(client.get(url, headers=me), 404, "RESOURCE_NOT_FOUND")


def test_session_errors(client: TestClient, system: System) -> None:
    me, other = learner(system), learner(system)
    session = ok(client.post(f"{SESSIONS}/", json={}, headers=me), 201)
    foreign_plan = make_plan(client, other)
    response = client.post(f"{SESSIONS}/", json={"study_plan": foreign_plan["id"]}, headers=me)
    assert "study_plan" in assert_envelope(response, 422, "VALIDATION_ERROR")["details"]
    bad_rating = client.post(
        f"{SESSIONS}/{session['id']}/complete/", json={"productivity_rating": 6}, headers=me
    )
    assert_envelope(bad_rating, 422, "VALIDATION_ERROR")
    for response in (
        client.get(f"{SESSIONS}/{session['id']}/", headers=other),
        client.patch(f"{SESSIONS}/{session['id']}/", json={"notes": "x"}, headers=other),
        client.delete(f"{SESSIONS}/{session['id']}/", headers=other),
        client.post(f"{SESSIONS}/{session['id']}/complete/", json={}, headers=other),
    ):
        assert_envelope(response, 404, "RESOURCE_NOT_FOUND")
    reversed_range = client.get(
        f"{SESSIONS}/stats/?start_date=2024-02-01&end_date=2024-01-01", headers=me
    )
    assert_envelope(reversed_range, 422, "VALIDATION_ERROR")


def test_stats_with_a_date_range_and_hours(
    client: TestClient, system: System, clock: FixedClock
) -> None:
    me = learner(system)
    study(client, clock, me, "2024-01-10T19:00", 120, productivity_rating=5)
    study(client, clock, me, "2024-01-11T19:30", 60, productivity_rating=3)
    study(client, clock, me, "2024-01-12T08:00", 30)
    study(client, clock, me, "2024-01-20T19:00", 90, productivity_rating=4)
    at(clock, "2024-01-21T12:00")
    stats = ok(
        client.get(f"{SESSIONS}/stats/?start_date=2024-01-10&end_date=2024-01-12", headers=me)
    )
    assert (stats["total_sessions"], stats["total_hours"]) == (3, 3.5)
    assert stats["average_duration_minutes"] == 70.0
    assert stats["average_productivity"] == 4.0
    assert stats["sessions_by_hour"] == [
        {
            "hour": 8,
            "count": 1,
            "avg_duration": 30.0,
            "total_minutes": 30.0,
            "avg_productivity": None,
        },
        {
            "hour": 19,
            "count": 2,
            "avg_duration": 90.0,
            "total_minutes": 180.0,
            "avg_productivity": 4.0,
        },
    ]
    assert stats["most_productive_hours"][0] == {"hour": 19, "count": 2, "avg_productivity": 4.0}
    assert stats["current_streak"] == {"current": 1, "longest": 3}
    everything = ok(client.get(f"{SESSIONS}/stats/", headers=me))
    assert (everything["total_sessions"], everything["active_days"]) == (4, 4)


def test_streak_counts_days_across_midnight(
    client: TestClient, system: System, clock: FixedClock
) -> None:
    me = learner(system)
    study(client, clock, me, "2024-01-14T23:50", 5)
    study(client, clock, me, "2024-01-15T00:10", 5)  # just after midnight: a new day
    study(client, clock, me, "2024-01-16T23:59", 5)
    at(clock, "2024-01-17T20:00")
    assert ok(client.get(f"{SESSIONS}/stats/", headers=me))["current_streak"] == {
        "current": 3,
        "longest": 3,
    }
    at(clock, "2024-01-18T00:00")  # a day without study has started: the streak is gone
    assert ok(client.get(f"{SESSIONS}/stats/", headers=me))["current_streak"] == {
        "current": 0,
        "longest": 3,
    }
