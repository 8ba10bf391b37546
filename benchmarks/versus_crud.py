"""Aksio's review beside the same feature as a plain CRUD app, measured in one run.

Run alone: `.venv/bin/python -m benchmarks.bench_reviews --versus-crud [--rounds 3]`.
Two fresh PostgreSQL databases on the same server get the same cards of the same users: one
through Aksio's event store (its projections caught up), one straight into the CRUD app's two
tables (`benchmarks/crud_reviews.py`). Both servers run at once, each in its own process
(`aksio serve`, projections and reactors in-process, and uvicorn with uvloop and httptools).
Each round runs a closed loop at c=1 and one at c=8 on each app in turn, so drift on this
shared machine hits both alike. Around each c=8 loop (and until the server goes idle after
it, so asynchronous work is counted) it reads the CPU time of the server process (all its
threads, `/proc/<pid>/stat`) and of PostgreSQL: the backends serving that app's database and
the server's own background processes (WAL writer, checkpointer, ...), leaving out other
databases' backends, which other work on the machine may keep busy.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median

from aksio.bootstrap import build, migrate
from aksio.settings import Settings
from benchmarks import crud_reviews
from benchmarks.bench_learning import analyze
from benchmarks.common import (
    SECRET,
    free_port,
    pg_database,
    running,
    served_process,
    server_env,
    table,
    verdict,
)
from benchmarks.review_load import Deck, closed_loop, fill

TICK = 1 / os.sysconf("SC_CLK_TCK")
GOALS = {"server": 2.5, "postgres": 2.0, "p50": 1.5}
ROOT = Path(__file__).resolve().parents[1]


def process_cpu(pid: int) -> float:
    """Seconds of CPU (user + system, all threads) the process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * TICK


def postgres_cpu(database: str) -> dict[int, float]:
    """CPU seconds of each PostgreSQL process serving `database` or the server as a whole."""
    found: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != "postgres":
                continue
            line = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            backend = "(" in line or "[local]" in line or "autovacuum worker" in line
            if database in line or not backend:
                found[int(entry.name)] = process_cpu(int(entry.name))
        except (FileNotFoundError, ProcessLookupError):
            continue  # a backend that ended between listing and reading
    return found


@dataclass
class Side:
    """One app under test: its server process, its database and what it measured."""

    name: str
    base: str
    pid: int
    database: str
    deck: Deck
    single: list[float] = field(default_factory=list)  # c=1 latencies, seconds
    reviews: int = 0  # at c=8
    elapsed: float = 0.0
    server_cpu: float = 0.0
    postgres_cpu: float = 0.0
    rounds: list[tuple[float, float, float]] = field(default_factory=list)

    def eight(self, total: int) -> tuple[float, float]:
        """A closed loop at c=8; its server and PostgreSQL CPU seconds per review, counted
        until the server is idle again (so work left to background threads is in)."""
        server, database = process_cpu(self.pid), postgres_cpu(self.database)
        run = closed_loop(self.base, self.deck, 8, total, "c=8")
        settle(self.pid)
        after = postgres_cpu(self.database)
        spent = process_cpu(self.pid) - server
        spent_db = sum(cpu - database.get(pid, 0.0) for pid, cpu in after.items())
        self.server_cpu += spent
        self.postgres_cpu += spent_db
        self.reviews += len(run.latencies)
        self.elapsed += run.elapsed
        if run.failed != "0":
            print(f"{self.name}: non-200 answers at c=8: {run.failed}", flush=True)
        return spent / len(run.latencies), spent_db / len(run.latencies)

    @property
    def server_ms(self) -> float:
        return self.server_cpu * 1000 / self.reviews

    @property
    def postgres_ms(self) -> float:
        return self.postgres_cpu * 1000 / self.reviews

    @property
    def rate(self) -> float:
        return self.reviews / self.elapsed

    @property
    def p50_ms(self) -> float:
        return median(self.single) * 1000


def settle(pid: int, quiet: float = 0.3, longest: float = 10.0) -> None:
    """Waits until the process uses under one tick of CPU in `quiet` seconds (or `longest`)."""
    deadline, before = time.monotonic() + longest, process_cpu(pid)
    while time.monotonic() < deadline:
        time.sleep(quiet)
        now = process_cpu(pid)
        if now - before < TICK * 1.5:
            return
        before = now


def seed_aksio(url: str, folder: Path, users: int, cards: int) -> Deck:
    settings = Settings(database_url=url, data_dir=folder, secret_key=SECRET)
    migrate(settings)
    system = build(settings, start_threads=False)
    try:
        deck = fill(system.store, users, cards)
        system.drain()
        analyze(system.engine)
    finally:
        system.close()
    return deck


@contextmanager
def crud_served(url: str, folder: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "benchmarks.crud_reviews:app", "--port"]
    command += [str(port), "--host", "127.0.0.1", "--loop", "uvloop", "--http", "httptools"]
    command += ["--no-access-log", "--log-level", "warning"]
    env = {**os.environ, "CRUD_DATABASE_URL": url, "CRUD_SECRET": SECRET}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    with running(command, env, folder, port, "/health") as served:
        yield served


def one_round(aksio: Side, crud: Side, single: int, eight: int) -> None:
    """c=1 then c=8 on each side in turn; the round's three ratios kept for the spread."""
    p50 = []
    for side in (aksio, crud):
        run = closed_loop(side.base, side.deck, 1, single, "c=1")
        side.single.extend(run.latencies)
        p50.append(median(run.latencies))
    (a_server, a_db), (c_server, c_db) = aksio.eight(eight), crud.eight(eight)
    aksio.rounds.append((a_server / c_server, a_db / c_db, p50[0] / p50[1]))


def report(aksio: Side, crud: Side, rounds: int) -> bool:
    """Prints both rows, the ratios with their goals and each round's ratios."""
    ratios = {
        "server": aksio.server_ms / crud.server_ms,
        "postgres": aksio.postgres_ms / crud.postgres_ms,
        "p50": aksio.p50_ms / crud.p50_ms,
    }
    rows: list[list[object]] = [
        ["server process CPU ms", aksio.server_ms, crud.server_ms, ratios["server"]],
        ["PostgreSQL CPU ms", aksio.postgres_ms, crud.postgres_ms, ratios["postgres"]],
        ["reviews/s at c=8", aksio.rate, crud.rate, aksio.rate / crud.rate],
        ["p50 ms at c=1", aksio.p50_ms, crud.p50_ms, ratios["p50"]],
    ]
    print(f"Aksio against a CRUD app, per review, PostgreSQL, {rounds} rounds")
    print(table(["per review", "Aksio", "CRUD", "ratio"], rows))
    for n, (server, database, p50) in enumerate(aksio.rounds, 1):
        print(f"round {n}: server {server:.2f}x, PostgreSQL {database:.2f}x, p50 {p50:.2f}x")
    met = True
    for key, label in (("server", "server CPU"), ("postgres", "PostgreSQL CPU"), ("p50", "p50")):
        ok = ratios[key] <= GOALS[key]
        met &= ok
        print(f"{label}: {ratios[key]:.2f}x the CRUD app (goal <= {GOALS[key]:g}x): {verdict(ok)}")
    return met


def compare(users: int, cards: int, rounds: int, single: int, eight: int) -> bool:
    """Seeds both databases, serves both apps, runs the rounds and prints the comparison."""
    with (
        tempfile.TemporaryDirectory(prefix="aksio-versus-") as name,
        pg_database() as aksio_url,
        pg_database() as crud_url,
    ):
        folder = Path(name)
        deck = seed_aksio(aksio_url, folder / "var", users, cards)
        crud_reviews.create_schema(crud_url)
        crud_reviews.load(crud_url, [(card, owner) for card, owner, _ in deck.cards])
        with (
            served_process(server_env(folder / "var", aksio_url), folder) as (a_base, a_proc),
            crud_served(crud_url, folder) as (c_base, c_proc),
        ):
            aksio = Side("Aksio", a_base, a_proc.pid, aksio_url.rsplit("/", 1)[1], deck)
            crud_deck = Deck(list(deck.cards))
            crud = Side("CRUD", c_base, c_proc.pid, crud_url.rsplit("/", 1)[1], crud_deck)
            for side in (aksio, crud):
                closed_loop(side.base, side.deck, 4, 40, "warm-up")
            for _ in range(rounds):
                one_round(aksio, crud, single, eight)
    return report(aksio, crud, rounds)
