"""`aksio worker` killed with SIGKILL under an API (`aksio serve --no-workers`) that keeps
taking writes and reads: no read is ever stale.

While a standby worker is there, it takes over and reads go on; with no worker at all,
commands are still stored, and each read answers 503 with `Retry-After` within the
read-your-writes timeout (never a list without the request's own write, never a hang);
once a worker is back, everything acknowledged or said saved is there, and the read models
equal a rebuild from the log.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from aksio.bootstrap import build
from tests.conftest import make_settings
from tests.test_lost_lock import Worker, eventually, snapshot
from tests.test_outage import ApiOnly
from tests.test_serve_e2e import register, server_env

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
COURSES = "/api/v1/courses/?page_size=200"
TIMEOUT_S = 1.0  # the read-your-writes timeout the API runs with here


@pytest.fixture
def workers() -> Iterator[list[Worker]]:
    started: list[Worker] = []
    yield started
    for worker in started:
        worker.stop()


def kill(worker: Worker) -> None:
    worker.proc.send_signal(signal.SIGKILL)
    assert worker.proc.wait(timeout=10) == -signal.SIGKILL


def test_a_killed_worker_never_makes_a_read_stale(
    pg_url: str, tmp_path: Path, workers: list[Worker]
) -> None:
    env = server_env(tmp_path / "var", pg_url)
    env["AKSIO_READ_YOUR_WRITES_TIMEOUT_S"] = str(TIMEOUT_S)
    first = Worker(env, tmp_path, "first")
    workers.append(first)
    eventually(lambda: "worker running; owns [" in first.output(), 60, "the first worker")
    standby = Worker(env, tmp_path, "standby")
    workers.append(standby)
    eventually(lambda: "worker running; owns []" in standby.output(), 60, "the standby")
    api = ApiOnly(env, tmp_path)
    api.start()
    stored: list[str] = []  # names of courses answered 201, or 503 saying they were saved
    statuses: list[int] = []
    try:
        with httpx.Client(base_url=api.base, timeout=30) as http:
            headers, _ = register(http)

            def write_then_read() -> int:
                """Creates a course, then lists: the list holds it, or the read says 503."""
                name = f"course {len(stored)}"
                created = http.post("/api/v1/courses/", json={"name": name}, headers=headers)
                assert created.status_code in (201, 503), created.text
                stored.append(name)
                started = time.monotonic()
                listed = http.get(COURSES, headers=headers)
                took = time.monotonic() - started
                if listed.status_code == 503:
                    assert listed.json()["error_code"] == "SERVICE_UNAVAILABLE"
                    assert int(listed.headers["retry-after"]) >= 1
                    assert took < TIMEOUT_S + 5, "a read waited past its bound"
                else:
                    assert listed.status_code == 200, listed.text
                    names = {course["name"] for course in listed.json()["results"]}
                    assert set(stored) <= names, "a read did not show the request's own write"
                statuses.append(listed.status_code)
                return listed.status_code

            assert [write_then_read() for _ in range(5)] == [200] * 5

            kill(first)  # the standby takes over when it sees the lock free
            deadline = time.monotonic() + 60
            while statuses[-3:] != [200] * 3:
                assert time.monotonic() < deadline, "the standby never took over"
                write_then_read()

            kill(standby)  # no worker at all: commands still stored, reads say 503
            without = [write_then_read() for _ in range(3)]
            assert without == [503] * 3

            back = Worker(env, tmp_path, "back")
            workers.append(back)
            deadline = time.monotonic() + 60
            while write_then_read() != 200:
                assert time.monotonic() < deadline, "reads never recovered"
            listed = http.get(COURSES, headers=headers).json()
            assert sorted(course["name"] for course in listed["results"]) == sorted(stored)
    finally:
        api.stop()
    for worker in workers:
        worker.stop()
    # Positions of projections a batch did not change are written once a second, so the
    # killed workers left some behind; what the takeovers replayed changed nothing twice.
    client = build(make_settings(tmp_path, pg_url), workers=False)
    try:
        live = snapshot(client)
        client.runner.rebuild(client.projections)
        assert snapshot(client) == live
    finally:
        client.close()
