"""Analytics and dashboards over HTTP, from the history in `history.py`."""

from __future__ import annotations

from fastapi.testclient import TestClient

from aksio.bootstrap import System
from aksio.core.clock import FixedClock
from tests.conftest import assert_envelope
from tests.learning import history
from tests.learning.support import BASE, at, learner, make_plan, ok


def test_overview(client: TestClient, system: System, clock: FixedClock) -> None:
    me = learner(system)
    history.build(client, clock, me)
    at(clock, "2024-01-31T20:00")
    body = ok(client.get(f"{BASE}/analytics/overview/", headers=me))
    assert (body["start_date"], body["end_date"], body["days"]) == ("2024-01-02", "2024-01-31", 30)
    assert (body["total_study_hours"], body["average_daily_hours"]) == (6.5, 0.22)
    assert (body["sessions_completed"], body["active_days"]) == (6, 6)
    assert (body["goals_completed"], body["completion_rate"]) == (1, 33.3)
    assert [
        (w["week"], w["count"], w["hours"], w["goals_completed"]) for w in body["progress_by_week"]
    ] == [
        ("2024-01-01", 0, 0.0, 0),
        ("2024-01-08", 3, 3.5, 0),
        ("2024-01-15", 0, 0.0, 0),
        ("2024-01-22", 0, 0.0, 0),
        ("2024-01-29", 3, 3.0, 1),
    ]
    assert body["learning_velocity"] == {
        "current_velocity": 0.4,
        "target_velocity": 0.23,
        "velocity_ratio": 1.71,
        "status": "on_track",
    }
    assert body["productivity_patterns"] == {
        "best_hours": [
            {"hour": 19, "avg_productivity": 4.2, "count": 5},
            {"hour": 8, "avg_productivity": 2.0, "count": 1},
        ],
        "peak_productivity_time": 19,
    }
    assert [r["type"] for r in body["recommendations"]] == ["scheduling", "consistency"]
    assert body["recommendations"][0]["message"] == "Schedule important study sessions around 19:00"
    week = ok(client.get(f"{BASE}/analytics/overview/?days=7", headers=me))
    assert (week["total_study_hours"], week["goals_completed"]) == (3.0, 1)
    assert_envelope(
        client.get(f"{BASE}/analytics/overview/?days=0", headers=me), 422, "VALIDATION_ERROR"
    )


def test_performance_trends(client: TestClient, system: System, clock: FixedClock) -> None:
    me = learner(system)
    history.build(client, clock, me)
    body = ok(client.get(f"{BASE}/analytics/performance_trends/?weeks=4", headers=me))
    assert [(w["week"], w["hours"], w["sessions"], w["active_days"]) for w in body["series"]] == [
        ("2024-01-08", 3.5, 3, 3),
        ("2024-01-15", 0.0, 0, 0),
        ("2024-01-22", 0.0, 0, 0),
        ("2024-01-29", 3.0, 3, 3),
    ]
    assert [w["progress_hours"] for w in body["series"]] == [0.0, 2.0, 0.0, 10.0]
    assert body["series"][0]["average_productivity"] == 3.67
    assert body["trends"]["hours"] == {
        "recent": 1.5,
        "previous": 1.75,
        "change_percentage": -14.3,
        "direction": "down",
    }
    assert body["trends"]["progress_hours"]["direction"] == "up"


def test_learning_path_analysis(client: TestClient, system: System, clock: FixedClock) -> None:
    me = learner(system)
    built = history.build(client, clock, me)
    body = ok(client.get(f"{BASE}/analytics/learning_path_analysis/", headers=me))
    [plan] = body["plans"]
    b, c = built["b"]["id"], built["c"]["id"]
    assert [g["goal_id"] for g in plan["recommended_order"]] == [b, c]
    assert plan["available_goals"] == [b]
    assert plan["blocked_goals"] == [{"goal_id": c, "title": "C", "blocked_by": [b]}]
    assert plan["critical_path"] == {"goal_ids": [b, c], "titles": ["B", "C"], "hours": 7.0}
    assert (plan["goals_completed"], plan["remaining_hours"], plan["cycle"]) == (1, 7.0, None)
    one = ok(
        client.get(
            f"{BASE}/analytics/learning_path_analysis/?study_plan={built['plan']['id']}", headers=me
        )
    )
    assert one == body
    stranger = learner(system)
    foreign = client.get(
        f"{BASE}/analytics/learning_path_analysis/?study_plan={built['plan']['id']}",
        headers=stranger,
    )
    assert_envelope(foreign, 404, "RESOURCE_NOT_FOUND")


def test_activity_dashboard(client: TestClient, system: System, clock: FixedClock) -> None:
    me = learner(system)
    built = history.build(client, clock, me)
    at(clock, "2024-01-31T20:00")
    body = ok(client.get("/api/v1/accounts/dashboard/", headers=me))
    assert body["study_streak"] == {"current": 3, "longest": 3}
    assert (body["weekly_hours"], body["goals_completed_this_month"]) == (3.0, 1)
    assert [
        (d["type"], d["title"], d["due_date"], d["priority"], d["days_left"])
        for d in body["upcoming_deadlines"]
    ] == [
        ("goal", "B", "2024-02-05", "medium", 5),
        ("study_plan", "Calculus", "2024-02-29", "medium", 29),
    ]
    assert [(a["type"], a["title"], a["achieved_at"]) for a in body["recent_achievements"]] == [
        ("study_streak", "3-day study streak!", "2024-01-31T19:00:00Z"),
        ("goal_completed", "Completed goal: A", "2024-01-30T20:00:00Z"),
        ("study_streak", "3-day study streak!", "2024-01-12T08:00:00Z"),
    ]
    assert built["a"]["id"]
    assert_envelope(client.get("/api/v1/accounts/dashboard/"), 401, "AUTHENTICATION_FAILED")


def test_plans_dashboard(client: TestClient, system: System, clock: FixedClock) -> None:
    me = learner(system)
    built = history.build(client, clock, me)
    at(clock, "2024-02-01T07:00")
    plan_id = built["plan"]["id"]
    ok(
        client.post(
            f"{BASE}/study-plans/{plan_id}/generate_schedule/",
            json={"save_schedule": True, "preferred_times": ["evening"]},
            headers=me,
        )
    )
    old = make_plan(client, me, title="Old")
    ok(client.patch(f"{BASE}/study-plans/{old['id']}/", json={"status": "archived"}, headers=me))
    body = ok(client.get(f"{BASE}/study-plans/dashboard/", headers=me))
    assert (body["today"], body["active_plans"], body["studied_today_hours"]) == (
        "2024-02-01",
        1,
        0.0,
    )
    [summary] = body["plans"]
    assert summary["next_goal"]["goal_id"] == built["b"]["id"]
    assert (summary["goals_total"], summary["goals_completed"]) == (3, 1)
    [today] = body["today_schedule"]
    assert today["plan_id"] == plan_id and today["sessions"][0]["time_slot"]["start"] == "18:00"
    assert [g["title"] for g in body["upcoming_goals"]] == ["B"]
    assert body["upcoming_goals"][0]["days_left"] == 4
