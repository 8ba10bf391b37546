"""A rebuilt learning read model holds the same rows and answers every GET the same."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from aksio.bootstrap import System
from aksio.core.clock import FixedClock
from aksio.projections.learning.projection import LearningProjection
from tests.learning import history
from tests.learning.support import BASE, at, learner, ok


def snapshot(system: System) -> list[list[dict[str, Any]]]:
    with system.engine.connect() as conn:
        return [
            sorted(map(dict, conn.execute(t.select()).mappings()), key=str)
            for t in LearningProjection.tables
        ]


def test_rebuild_reproduces_rows_and_answers(
    client: TestClient, system: System, clock: FixedClock
) -> None:
    me = learner(system)
    built = history.build(client, clock, me)
    plan_id = built["plan"]["id"]
    at(clock, "2024-02-01T07:00")
    ok(
        client.post(
            f"{BASE}/study-plans/{plan_id}/generate_schedule/",
            json={"save_schedule": True},
            headers=me,
        )
    )
    doomed = ok(client.post(f"{BASE}/study-sessions/", json={}, headers=me), 201)
    client.delete(f"{BASE}/study-sessions/{doomed['id']}/", headers=me)
    client.delete(f"{BASE}/goals/{built['c']['id']}/", headers=me)
    at(clock, "2024-02-01T08:00")
    assert system.caught_up()
    rows, answers = snapshot(system), history.every_read(client, me, plan_id)
    projection = next(p for p in system.projections if isinstance(p, LearningProjection))
    system.runner.rebuild([projection])
    assert snapshot(system) == rows
    assert history.every_read(client, me, plan_id) == answers
    assert answers[f"{BASE}/study-sessions/stats/"]["total_sessions"] == 7
    assert len(rows[0]) == 1 and len(rows[1]) == 2  # one plan, goals A and B
