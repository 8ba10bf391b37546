"""A PostgreSQL outage: requests answer 503 with Retry-After, and once the database is back
the API (`aksio serve --no-workers`) and an `aksio worker` carry on by themselves, losing
nothing that was acknowledged."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from tests.conftest import PG_ADMIN
from tests.test_serve_e2e import Server, register, server_env

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
DEADLINE_S = 90.0
OUTAGE_S = 10.0


class ApiOnly(Server):
    """`aksio serve --no-workers`: projections and reactors run in the worker."""

    def start(self) -> None:
        command = [sys.executable, "-m", "aksio.cli", "serve", "--no-workers", "--port"]
        command += [str(self.port), "--no-access-log", "--log-level", "warning"]
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                command, env=self.env, cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT
            )
        eventually(lambda: httpx.get(f"{self.base}/health", timeout=2).status_code == 200,
                   "aksio serve to answer /health")  # fmt: skip


@pytest.fixture
def worker(pg_url: str, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        command = [sys.executable, "-m", "aksio.cli", "worker"]
        env = server_env(tmp_path / "var", pg_url)
        proc = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=out, stderr=out)
    eventually(lambda: b"worker running" in log.read_bytes(), "the worker to start")
    yield proc
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture
def api(pg_url: str, tmp_path: Path, worker: subprocess.Popen[bytes]) -> Iterator[Server]:
    running = ApiOnly(server_env(tmp_path / "var", pg_url), tmp_path)
    running.start()
    yield running
    running.stop()


def eventually(check: Callable[[], Any], what: str) -> Any:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        try:
            result = check()
        except httpx.TransportError:
            result = None
        if result:
            return result
        time.sleep(0.5)
    pytest.fail(f"waited {DEADLINE_S} s for {what}")


def set_outage(pg_url: str, down: bool) -> None:
    name = pg_url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {"false" if down else "true"}')
        if down:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )


def test_an_outage_answers_503_and_everything_recovers(api: Server, pg_url: str) -> None:
    cards = "/api/v1/assessments/flashcards/"
    with httpx.Client(base_url=api.base, timeout=60) as http:
        headers, _ = register(http)
        course = http.post("/api/v1/courses/", json={"name": "Outages"}, headers=headers)
        assert course.status_code == 201, course.text
        acknowledged = []

        def create(i: int) -> httpx.Response:
            card = {"course": course.json()["id"], "question": f"q{i}", "answer": "a"}
            response = http.post(cards, json=card, headers=headers)
            if response.status_code == 201:
                acknowledged.append(response.json()["id"])
            return response

        assert all(create(i).status_code == 201 for i in range(5))

        set_outage(pg_url, down=True)
        try:
            for response in (http.get(cards, headers=headers), create(100)):
                assert response.status_code == 503, response.text
                assert response.json()["error_code"] == "SERVICE_UNAVAILABLE"
                assert int(response.headers["retry-after"]) >= 1
            health = http.get("/health")
            assert health.status_code == 503
            assert health.json()["status"] == "degraded"
            time.sleep(OUTAGE_S)  # long enough for every part to have failed and backed off
        finally:
            set_outage(pg_url, down=False)

        eventually(lambda: create(200).status_code == 201, "a command to succeed again")
        assert all(create(i).status_code == 201 for i in range(300, 305))

        def caught_up() -> bool:
            health = http.get("/health").json()
            lags = [p["lag"] for p in health.get("projections", {}).values()]
            return health["status"] == "ok" and bool(lags) and not any(lags)

        eventually(caught_up, "the worker's projections to catch up")
        listed = http.get(f"{cards}?page_size=200", headers=headers).json()
        assert set(acknowledged) <= {card["id"] for card in listed["results"]}
        assert len(acknowledged) >= 11
