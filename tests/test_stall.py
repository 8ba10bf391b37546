"""A database stall under load: `aksio serve` answers or refuses (503) instead of hanging,
/health answers throughout, everything succeeds once the stall is over, and SIGTERM ends the
process while requests still hang."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.test_serve_e2e import Server, register, server_env

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

RATE_PER_S = 20
LOAD_S = 10
AFTER = 40


@pytest.fixture
def server(pg_url: str, tmp_path: Path) -> Iterator[Server]:
    running = Server(server_env(tmp_path / "var", pg_url), tmp_path)
    running.start()
    yield running
    running.stop()


@contextmanager
def table_locked(pg_url: str, table: str, seconds: float) -> Iterator[threading.Event]:
    """Holds ACCESS EXCLUSIVE on `table` for `seconds` (sooner if the block ends first)."""
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        with psycopg.connect(pg_url) as conn:
            conn.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
            locked.set()
            release.wait(seconds)
            conn.rollback()

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    assert locked.wait(10)
    done = threading.Event()
    try:
        yield done
    finally:
        release.set()
        holder.join(30)
        done.set()


def setup_user(http: httpx.Client) -> tuple[dict[str, str], str]:
    headers, _ = register(http)
    course = http.post("/api/v1/courses/", json={"name": "Stalls"}, headers=headers)
    assert course.status_code == 201, course.text
    return headers, course.json()["id"]


def one_request(base: str, headers: dict[str, str], course: str, i: int) -> tuple[str, int, str]:
    """A POST of a card (even i) or a GET of the list: (kind, status, Retry-After)."""
    with httpx.Client(base_url=base, timeout=60) as http:
        if i % 2 == 0:
            card = {"course": course, "question": f"q{i}", "answer": "a"}
            response = http.post("/api/v1/assessments/flashcards/", json=card, headers=headers)
            return "post", response.status_code, response.headers.get("retry-after", "")
        response = http.get("/api/v1/assessments/flashcards/", headers=headers)
        return "get", response.status_code, response.headers.get("retry-after", "")


def test_a_stall_under_load_refuses_then_recovers(server: Server, pg_url: str) -> None:
    with httpx.Client(base_url=server.base, timeout=30) as http:
        headers, course = setup_user(http)
    healthy_during: list[int] = []
    with (
        table_locked(pg_url, "rm_flashcards", LOAD_S) as _,
        ThreadPoolExecutor(RATE_PER_S * 3) as pool,
    ):
        futures = []
        for i in range(RATE_PER_S * LOAD_S):  # open loop: sent on schedule, answered or not
            futures.append(pool.submit(one_request, server.base, headers, course, i))
            if i % RATE_PER_S == RATE_PER_S - 1:
                health = httpx.get(f"{server.base}/health", timeout=5)
                healthy_during.append(health.status_code)
            time.sleep(1 / RATE_PER_S)
        results = [f.result() for f in futures]
    assert len(healthy_during) == LOAD_S  # answered every second of the stall
    assert {status for _, status, _ in results} <= {200, 201, 503}, results
    assert all(retry for _, status, retry in results if status == 503)
    created = sum(1 for kind, status, _ in results if kind == "post" and status == 201)

    with ThreadPoolExecutor(8) as pool:
        after = list(pool.map(lambda i: one_request(server.base, headers, course, i), range(AFTER)))
    assert [status for _, status, _ in after] == [201, 200] * (AFTER // 2)
    listed = httpx.get(
        f"{server.base}/api/v1/assessments/flashcards/?page_size=200", headers=headers, timeout=30
    ).json()
    assert listed["count"] >= created + AFTER // 2
    health = httpx.get(f"{server.base}/health", timeout=5).json()
    assert health["status"] == "ok"


def test_sigterm_ends_the_server_while_requests_hang(server: Server, pg_url: str) -> None:
    with httpx.Client(base_url=server.base, timeout=30) as http:
        headers, course = setup_user(http)
    with table_locked(pg_url, "rm_flashcards", 120), ThreadPoolExecutor(8) as pool:
        hanging = [
            pool.submit(one_request, server.base, headers, course, i) for i in range(1, 17, 2)
        ]
        time.sleep(1)
        assert not any(f.done() for f in hanging)  # the reads wait for the lock
        assert server.proc is not None
        server.proc.terminate()
        server.proc.wait(timeout=30)  # within the shutdown deadline, long before the lock ends
        for future in hanging:
            with pytest.raises(httpx.TransportError):
                future.result()
