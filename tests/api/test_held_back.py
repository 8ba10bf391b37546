"""An aggregate held back after a projection error: 503 for it, business as usual for others."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from aksio.bootstrap import System
from aksio.projections.engine.quarantine import held_back
from aksio.settings import Settings
from tests.conftest import assert_envelope
from tests.core.test_quarantine import poison

Headers = dict[str, str]


def poison_and_drain(system: System, course_id: UUID) -> None:
    poison(system, course_id, {"name": None})  # NOT NULL in the read model
    system.drain()


def test_reads_of_a_held_back_course_answer_503_and_others_carry_on(
    client: TestClient, system: System, make_user: Any
) -> None:
    mine, theirs = make_user(), make_user()
    bad = client.post("/api/v1/courses/", json={"name": "mine"}, headers=mine).json()["id"]
    poison_and_drain(system, UUID(bad))
    assert [h.originator_id for h in held_back(system.engine)] == [UUID(bad)]

    body = assert_envelope(
        client.get(f"/api/v1/courses/{bad}/", headers=mine), 503, "SERVICE_UNAVAILABLE"
    )
    assert body["details"] == {"aggregate_id": [bad]}
    assert client.get(f"/api/v1/courses/{bad}/", headers=mine).headers["retry-after"] == "30"

    created = client.post("/api/v1/courses/", json={"name": "theirs"}, headers=theirs)
    assert created.status_code == 201, created.text  # the runner was not stopped
    other = created.json()["id"]
    assert client.get(f"/api/v1/courses/{other}/", headers=theirs).json()["name"] == "theirs"
    also_mine = client.post("/api/v1/courses/", json={"name": "second"}, headers=mine)
    assert also_mine.status_code == 201


def run_cli(settings: Settings, *args: str) -> str:
    env = {"AKSIO_DATA_DIR": str(settings.data_dir), "PATH": "/usr/bin:/bin"}
    if settings.database_url:
        env["AKSIO_DATABASE_URL"] = settings.database_url
    done = subprocess.run(
        [sys.executable, "-m", "aksio.cli", *args],
        env=env, capture_output=True, text=True, timeout=120, check=True,
        cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    return done.stdout


def test_status_lists_the_quarantine_and_retry_replays_it(
    client: TestClient, system: System, settings: Settings, auth: Headers
) -> None:
    bad = client.post("/api/v1/courses/", json={"name": "mine"}, headers=auth).json()["id"]
    poison_and_drain(system, UUID(bad))
    shown = run_cli(settings, "projections", "status")
    assert f"courses {bad} since event" in shown and "IntegrityError" in shown

    system.runner.stop()  # no running owner: the command replays it itself
    shown = run_cli(settings, "projections", "retry", "courses")
    assert "released 0, still failing 1" in shown  # the event still fails: it stays held
    assert held_back(system.engine)[0].attempts == 2
