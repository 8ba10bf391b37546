"""Helpers shared by the learning tests: tokens, clock moves and small builders."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from aksio.bootstrap import System
from aksio.core.clock import FixedClock

BASE = "/api/v1/learning"


def learner(system: System) -> dict[str, str]:
    """Headers of a new user; the token is minted at wall-clock time so it stays valid
    whatever date the test clock shows."""
    token = system.tokens.access(uuid.uuid4(), datetime.now(UTC))
    return {"Authorization": f"Bearer {token}"}


def at(clock: FixedClock, moment: str) -> datetime:
    """Sets the test clock to an ISO instant (UTC unless it carries an offset)."""
    value = datetime.fromisoformat(moment)
    clock.at = value if value.tzinfo else value.replace(tzinfo=UTC)
    return clock.at


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def make_plan(client: TestClient, headers: dict[str, str], **fields: Any) -> Any:
    body = {"title": "Calculus", **fields}
    return ok(client.post(f"{BASE}/study-plans/", json=body, headers=headers), 201)


def make_goal(client: TestClient, headers: dict[str, str], plan_id: str, **fields: Any) -> Any:
    body = {"study_plan": plan_id, "title": "Goal", "estimated_hours": 4, **fields}
    return ok(client.post(f"{BASE}/goals/", json=body, headers=headers), 201)


def study(
    client: TestClient,
    clock: FixedClock,
    headers: dict[str, str],
    start: str,
    minutes: float,
    **complete: Any,
) -> Any:
    """Starts a session at `start`, moves the clock `minutes` on and completes it."""
    at(clock, start)
    body = {"study_plan": complete.pop("study_plan")} if "study_plan" in complete else {}
    session = ok(client.post(f"{BASE}/study-sessions/", json=body, headers=headers), 201)
    clock.advance(minutes=minutes)
    url = f"{BASE}/study-sessions/{session['id']}/complete/"
    return ok(client.post(url, json=complete, headers=headers))
