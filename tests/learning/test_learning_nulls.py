"""Nulls, types and dates of the learning context's bodies and queries."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from aksio.bootstrap import System
from tests.conftest import assert_envelope
from tests.learning.support import BASE, learner, make_goal, make_plan, ok


@pytest.fixture
def headers(system: System) -> dict[str, str]:
    return learner(system)


@pytest.mark.parametrize(
    ("kind", "field", "schema"),
    [("plan", "priority_level", "StudyPlanUpdate"), ("goal", "prerequisites", "GoalUpdate"),
     ("session", "session_type", "StudySessionUpdate"), ("plan", "title", "StudyPlanUpdate")],
)  # fmt: skip
def test_null_that_the_schema_refuses_is_422(
    kind: str, field: str, schema: str, client: TestClient, system: System, headers: Any
) -> None:
    plan = make_plan(client, headers)
    if kind == "plan":
        url = f"{BASE}/study-plans/{plan['id']}/"
    elif kind == "goal":
        url = f"{BASE}/goals/{make_goal(client, headers, plan['id'])['id']}/"
    else:
        session = ok(client.post(f"{BASE}/study-sessions/", json={}, headers=headers), 201)
        url = f"{BASE}/study-sessions/{session['id']}/"
    head = system.store.head()
    assert_envelope(client.patch(url, json={field: None}, headers=headers), 422,
                    "VALIDATION_ERROR")  # fmt: skip
    assert system.store.head() == head
    properties = client.get("/openapi.json").json()["components"]["schemas"][schema]["properties"]
    assert "anyOf" not in properties[field]


def test_nulls_the_schema_allows_clear(client: TestClient, headers: Any) -> None:
    plan = make_plan(client, headers, description="d", end_date="2030-01-01")
    url = f"{BASE}/study-plans/{plan['id']}/"
    cleared = ok(client.patch(url, json={"description": None, "end_date": None}, headers=headers))
    assert cleared["description"] is None and cleared["end_date"] is None
    goal = make_goal(client, headers, plan["id"], target_date="2030-01-01")
    goal_url = f"{BASE}/goals/{goal['id']}/"
    assert (
        ok(client.patch(goal_url, json={"target_date": None}, headers=headers))["target_date"]
        is None
    )


@pytest.mark.parametrize("query", ["start_date=0", "start_date=1700000000", "end_date=2024-1-5"])
def test_query_dates_must_be_iso(query: str, client: TestClient, headers: Any) -> None:
    answer = client.get(f"{BASE}/study-sessions/stats/?{query}", headers=headers)
    assert_envelope(answer, 422, "VALIDATION_ERROR")
    assert client.get(f"{BASE}/study-sessions/stats/?start_date=2024-01-05",
                      headers=headers).status_code == 200  # fmt: skip


@pytest.mark.parametrize(
    "body", [{"save_schedule": 0}, {"include_weekends": "true"}, {"hours_per_day": False}]
)
def test_schedule_body_is_not_coerced(
    body: dict[str, Any], client: TestClient, headers: Any
) -> None:
    plan = make_plan(client, headers)
    answer = client.post(f"{BASE}/study-plans/{plan['id']}/generate_schedule/", json=body,
                         headers=headers)  # fmt: skip
    assert_envelope(answer, 400, "VALIDATION_ERROR")
