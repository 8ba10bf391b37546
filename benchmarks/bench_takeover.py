"""Takeover after a lost lock session (`python -m benchmarks.bench_takeover [--trials 3]`).

Two `aksio worker` processes on a fresh PostgreSQL database: the first owns every projection
and reactor, the second stands by. The first one's lock sessions (`aksio-locks-<pid>`) are
killed with `pg_terminate_backend`. Reported per trial: the time until the standby holds
every lease (`projection_leases`), and until the old owner has logged that it gave up.
Budget: the standby holds everything within 5 s.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from uuid import UUID

import psycopg

from benchmarks.common import pg_database, server_env, table, verdict

BUDGET_S = 5.0


def _owners(url: str) -> dict[str, UUID]:
    with psycopg.connect(url) as conn:
        return dict(conn.execute("SELECT name, owner FROM projection_leases").fetchall())


def _until(check: Callable[[], bool], timeout: float) -> float:
    began = time.monotonic()
    while not check():
        if time.monotonic() - began > timeout:
            raise RuntimeError("timed out")
        time.sleep(0.02)
    return time.monotonic() - began


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        command = [sys.executable, "-m", "aksio.cli", "worker"]
        return subprocess.Popen(command, env=env, stdout=out, stderr=out)


def trial() -> tuple[float, float]:
    with pg_database() as url, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = server_env(folder / "var", url)
        first_log, second_log = folder / "first.log", folder / "second.log"
        first = _worker(env, first_log)
        second: subprocess.Popen[bytes] | None = None
        try:
            _until(lambda: b"worker running; owns" in first_log.read_bytes(), 60)
            second = _worker(env, second_log)
            _until(lambda: b"worker running; owns []" in second_log.read_bytes(), 60)
            before = _owners(url)
            with psycopg.connect(url, autocommit=True) as admin:
                began = time.monotonic()
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = %s",
                    (f"aksio-locks-{first.pid}",),
                )
            _until(lambda: all(_owners(url)[n] != before[n] for n in before), 30)
            taken = time.monotonic() - began
            _until(lambda: b"giving up" in first_log.read_bytes(), 30)
            return taken, time.monotonic() - began
        finally:
            for proc in (second, first):
                if proc is not None:
                    proc.terminate()
                    proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=3)
    args = parser.parse_args()
    rows = []
    for n in range(args.trials):
        taken, gave_up = trial()
        rows.append([n + 1, f"{taken:.2f}", f"{gave_up:.2f}"])
    print("Takeover after the owner's lock sessions were killed (PostgreSQL)")
    print(table(["trial", "standby holds every lease (s)", "old owner gave up (s)"], rows))
    worst = max(float(row[1]) for row in rows)
    print(f"worst takeover {worst:.2f} s (budget {BUDGET_S:.0f} s): {verdict(worst <= BUDGET_S)}")


if __name__ == "__main__":
    main()
