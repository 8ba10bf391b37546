"""Recovery after a 10 s database stall (`python -m benchmarks.bench_stall_recovery`).

`aksio serve` on PostgreSQL under 20 requests/s of open-loop load (half `POST` of a
flashcard, half `GET` of the list) while another session holds `rm_flashcards` in
ACCESS EXCLUSIVE mode for 10 s. Reported: how the requests sent during the stall were
answered, how long `/health` took meanwhile, and the recovery time: from the lock's
release to the send time of the first request after which every request succeeded.
Budget: recovery within 5 s.
"""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor

import httpx
import psycopg

from benchmarks.common import served, server_env, table, verdict, workspace

RATE_PER_S = 20
STALL_S = 10.0
BEFORE_S, AFTER_S = 3.0, 12.0
BUDGET_S = 5.0


def _setup(base: str) -> tuple[dict[str, str], str]:
    with httpx.Client(base_url=base, timeout=30) as http:
        email = f"stall-{uuid.uuid4().hex[:8]}@example.com"
        body = {"email": email, "password": "a long enough password"}
        session = http.post("/api/v1/accounts/register/", json=body).json()
        headers = {"Authorization": f"Bearer {session['access']}"}
        course = http.post("/api/v1/courses/", json={"name": "Stall"}, headers=headers).json()
        return headers, str(course["id"])


def _request(base: str, headers: dict[str, str], course: str, i: int) -> tuple[float, int, float]:
    """(sent at, status or 0 for no answer, seconds to answer)."""
    sent = time.monotonic()
    try:
        with httpx.Client(base_url=base, timeout=60) as http:
            if i % 2 == 0:
                card = {"course": course, "question": f"q{i}", "answer": "a"}
                status = http.post("/api/v1/assessments/flashcards/", json=card, headers=headers)
            else:
                status = http.get("/api/v1/assessments/flashcards/", headers=headers)
            return sent, status.status_code, time.monotonic() - sent
    except httpx.TransportError:
        return sent, 0, time.monotonic() - sent


def _stall(url: str, locked: threading.Event, released: list[float]) -> None:
    with psycopg.connect(url) as conn:
        conn.execute("LOCK TABLE rm_flashcards IN ACCESS EXCLUSIVE MODE")
        locked.set()
        time.sleep(STALL_S)
        conn.rollback()
        released.append(time.monotonic())


def run() -> None:
    with workspace("postgresql") as (url, folder):
        assert url
        env = server_env(folder / "var", url, AKSIO_PASSWORD_HASH_MEMORY_KIB="1024")
        with served(env, folder) as base:
            headers, course = _setup(base)
            locked, released = threading.Event(), []
            stall = threading.Thread(target=_stall, args=(url, locked, released))
            health: list[float] = []
            futures: list[Future[tuple[float, int, float]]] = []
            total = int((BEFORE_S + STALL_S + AFTER_S) * RATE_PER_S)
            with ThreadPoolExecutor(RATE_PER_S * 4) as pool:
                for i in range(total):
                    if i == int(BEFORE_S * RATE_PER_S):
                        stall.start()
                        locked.wait(10)
                    futures.append(pool.submit(_request, base, headers, course, i))
                    if locked.is_set() and not released and i % RATE_PER_S == 0:
                        began = time.monotonic()
                        httpx.get(f"{base}/health", timeout=30)
                        health.append(time.monotonic() - began)
                    time.sleep(1 / RATE_PER_S)
                results = [f.result() for f in futures]
            stall.join()
    _report(results, released[0], health)


def _report(results: list[tuple[float, int, float]], released: float, health: list[float]) -> None:
    failed_after = [sent for sent, status, _ in results if status not in (200, 201)]
    last_failure = max(failed_after, default=released)
    recovery = max(0.0, last_failure + 1 / RATE_PER_S - released)
    during = [r for r in results if r[0] < released]
    rows = []
    for name, group in (("sent before release", during), ("all", results)):
        statuses = [s for _, s, _ in group]
        rows.append(
            (
                name,
                len(group),
                sum(s in (200, 201) for s in statuses),
                statuses.count(503),
                sum(s not in (200, 201, 503) for s in statuses),
                max(t for _, _, t in group),
            )
        )
    print(table(("requests", "sent", "2xx", "503", "other", "slowest s"), rows))
    print(f"\n/health during the stall: slowest {max(health, default=0.0):.3f} s of {len(health)}")
    ok = recovery <= BUDGET_S
    print(f"recovery after a {STALL_S:.0f} s stall: {recovery:.2f} s (budget {BUDGET_S} s): "
          f"{verdict(ok)}")  # fmt: skip


if __name__ == "__main__":
    run()
