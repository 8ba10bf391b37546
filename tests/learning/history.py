"""One learner's January 2024, built through the API, for the analytics and rebuild tests.

Sessions (UTC learner): Jan 1 (1 h), Jan 10 19:00 (1 h, rated 5), Jan 11 19:00 (2 h, 4),
Jan 12 08:00 (30 min, 2), Jan 29-31 19:00 (1 h each, 4). Plan Jan 1 - Feb 29 with goals
A (10 h, completed Jan 30), B (5 h, 40 % on Jan 15, due Feb 5) and C (4 h, needs B).
The clock ends on Wednesday Jan 31 at 20:00.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from aksio.core.clock import FixedClock
from tests.learning.support import BASE, at, make_goal, make_plan, ok, study


def build(client: TestClient, clock: FixedClock, me: dict[str, str]) -> dict[str, Any]:
    at(clock, "2024-01-01T08:00")
    plan = make_plan(client, me, start_date="2024-01-01", end_date="2024-02-29")
    a = make_goal(client, me, plan["id"], title="A", estimated_hours=10)
    b = make_goal(client, me, plan["id"], title="B", estimated_hours=5, target_date="2024-02-05")
    study(client, clock, me, "2024-01-01T10:00", 60)
    study(client, clock, me, "2024-01-10T19:00", 60, productivity_rating=5, study_plan=plan["id"])
    study(
        client, clock, me, "2024-01-11T19:00", 120, productivity_rating=4, goals_worked_on=[a["id"]]
    )
    study(client, clock, me, "2024-01-12T08:00", 30, productivity_rating=2)
    at(clock, "2024-01-15T12:00")
    ok(
        client.post(
            f"{BASE}/goals/{b['id']}/update_progress/", json={"progress_percentage": 40}, headers=me
        )
    )
    at(clock, "2024-01-20T12:00")
    c = make_goal(client, me, plan["id"], title="C", prerequisites=[b["id"]])
    study(client, clock, me, "2024-01-29T19:00", 60, productivity_rating=4)
    study(client, clock, me, "2024-01-30T19:00", 60, productivity_rating=4)
    ok(client.post(f"{BASE}/goals/{a['id']}/complete/", headers=me))
    study(client, clock, me, "2024-01-31T19:00", 60, productivity_rating=4)
    return {"plan": plan, "a": a, "b": b, "c": c}


def every_read(client: TestClient, me: dict[str, str], plan_id: str) -> dict[str, Any]:
    """The answer of every learning GET for this learner, keyed by path."""
    paths = [
        f"{BASE}/study-plans/",
        f"{BASE}/study-plans/dashboard/",
        f"{BASE}/study-plans/{plan_id}/",
        f"{BASE}/study-plans/{plan_id}/progress/",
        f"{BASE}/study-plans/{plan_id}/recommendations/",
        f"{BASE}/study-plans/{plan_id}/schedule/",
        f"{BASE}/goals/",
        f"{BASE}/study-sessions/",
        f"{BASE}/study-sessions/stats/",
        f"{BASE}/analytics/overview/",
        f"{BASE}/analytics/overview/?days=7",
        f"{BASE}/analytics/performance_trends/",
        f"{BASE}/analytics/learning_path_analysis/",
        "/api/v1/accounts/dashboard/",
    ]
    return {path: ok(client.get(path, headers=me)) for path in paths}
