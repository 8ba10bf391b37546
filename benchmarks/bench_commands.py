"""'Create course' over HTTP against `aksio serve`: latency, throughput, read-your-writes cost.

Run: `.venv/bin/python -m benchmarks.bench_commands [--requests 300]`. Starts the server as a
subprocess (access log off) on SQLite, then on a fresh PostgreSQL database, and drives it with
httpx from a pool of threads (the client shares the machine's cores with the server).
The read-your-writes cost is the p50 difference between a server that waits for the
projections and one started with `AKSIO_READ_YOUR_WRITES_TIMEOUT_S=0` (which answers 503 when
the read model has not caught up yet with the course it reads back: counted, not an error
here), and, measured directly in one process, the p50 of `System.wait_for` after each
dispatch. The budget holds both.
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

from aksio.bootstrap import build, migrate
from aksio.commands.courses import CreateCourse
from aksio.integrations.tokens import TokenService
from aksio.settings import Settings
from benchmarks.common import SECRET, percentile, pg_database, served, server_env, table, verdict

LEVELS = (1, 8, 32)
RYW_BUDGET_MS = 5.0
WARMUP = 30


@dataclass
class Run:
    concurrency: int
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    elapsed: float = 0.0

    def p(self, q: float) -> float:
        return percentile(self.latencies, q) * 1000

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.elapsed


def headers() -> dict[str, str]:
    token = TokenService(SECRET).access(uuid.uuid4(), datetime.now(UTC))
    return {"Authorization": f"Bearer {token}"}


def drive(base: str, concurrency: int, total: int) -> Run:
    """Sends `total` create-course requests from `concurrency` threads."""
    run = Run(concurrency)
    tickets = itertools.count()
    lock = threading.Lock()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    with httpx.Client(base_url=base, headers=headers(), limits=limits, timeout=60) as http:

        def work() -> None:
            while (n := next(tickets)) < total:
                began = time.perf_counter()
                response = http.post("/api/v1/courses/", json={"name": f"Course {n}"})
                took = time.perf_counter() - began
                with lock:
                    run.latencies.append(took)
                    run.statuses[response.status_code] += 1

        threads = [threading.Thread(target=work) for _ in range(concurrency)]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        run.elapsed = time.perf_counter() - began
    return run


@contextmanager
def server(database_url: str | None, **extra: str) -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="aksio-bench-") as folder:
        work = Path(folder)
        with served(server_env(work / "var", database_url, **extra), work) as base:
            drive(base, 4, WARMUP)
            yield base


def in_process_wait_p50(database_url: str | None, total: int) -> float:
    """p50 of `System.wait_for` alone after each dispatch, in one process (ms)."""
    with tempfile.TemporaryDirectory(prefix="aksio-bench-") as folder:
        settings = Settings(database_url=database_url, data_dir=Path(folder), secret_key=SECRET)
        migrate(settings)
        system = build(settings)
        try:
            owner, waits = uuid.uuid4(), []
            for n in range(total):
                outcome = system.bus.dispatch(CreateCourse(owner_id=owner, fields={"name": f"{n}"}))
                began = time.perf_counter()
                system.wait_for(outcome.position)
                waits.append(time.perf_counter() - began)
        finally:
            system.close()
    return percentile(waits, 50) * 1000


def bench_backend(name: str, url: str | None, total: int) -> tuple[list[Run], list[object]]:
    with server(url) as base:
        runs = [drive(base, level, total) for level in LEVELS]
    with server(url, AKSIO_READ_YOUR_WRITES_TIMEOUT_S="0") as base:
        no_wait = drive(base, 1, total)
    overhead = runs[0].p(50) - no_wait.p(50)
    waited = in_process_wait_p50(url, total)
    stale = sum(n for code, n in no_wait.statuses.items() if code != 201)
    ryw = [name, runs[0].p(50), no_wait.p(50), f"{stale}/{total}", overhead, waited]
    # Both views must be under budget: over HTTP the un-waited projection work still competes
    # with the next request, so the in-process wait is the stricter figure.
    return runs, [*ryw, verdict(max(overhead, waited) < RYW_BUDGET_MS)]


def main() -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--requests", type=int, default=300, help="requests per level")
    total = args.parse_args().requests
    load_rows: list[list[object]] = []
    ryw_rows: list[list[object]] = []
    for name in ("sqlite", "postgresql"):
        with pg_database() if name == "postgresql" else _no_database() as url:
            runs, ryw = bench_backend(name, url, total)
        for run in runs:
            others = sum(n for code, n in run.statuses.items() if code != 201)
            row = [name, run.concurrency, len(run.latencies), run.p(50), run.p(99), run.rate]
            load_rows.append([*row, others])
        ryw_rows.append(ryw)
    print(f"POST /api/v1/courses/ on `aksio serve` ({total} requests per level, access log off)")
    columns = ["backend", "concurrency", "requests", "p50 ms", "p99 ms", "req/s", "non-201"]
    print(table(columns, load_rows))
    print(f"\nread-your-writes cost at concurrency 1 (p50; budget < {RYW_BUDGET_MS:g} ms)")
    columns = ["backend", "with wait ms", "no wait ms", "not caught up", "overhead ms"]
    print(table([*columns, "in-process wait ms", "budget"], ryw_rows))
    return 0


@contextmanager
def _no_database() -> Iterator[None]:
    yield None


if __name__ == "__main__":
    raise SystemExit(main())
