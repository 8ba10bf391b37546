"""Aksio's review beside the same feature as a plain CRUD app, measured in one run.

Run alone: `.venv/bin/python -m benchmarks.bench_reviews --versus-crud [--rounds 3]`.
Aksio runs in its two deployments, each on a fresh PostgreSQL database of its own holding the
same kind of deck (its projections caught up): "one process" is `aksio serve` with the
projections and reactors in-process (the default); "API + worker" is `aksio serve
--no-workers` beside an `aksio worker` that runs them, and its CPU is both processes'. A third
database holds the CRUD app's two tables (`benchmarks/crud_reviews.py`) with the first deck's
cards. All servers run at once (the CRUD app under uvicorn with uvloop and httptools). Each
round runs a closed loop at c=1 and one at c=8 on each in turn, so drift on this shared
machine hits all alike. Around each c=8 loop (and until the processes go idle after it, so
asynchronous work is counted) it reads the CPU time of the server process (all threads,
`/proc/<pid>/stat`), of the worker where there is one, and of PostgreSQL: the backends serving
that deployment's database and the server's own background processes (WAL writer,
checkpointer, ...), leaving out other databases' backends, which other work on the machine may
keep busy.
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
    worker,
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
    pids: list[int]  # the server's process, and the worker's where there is one
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
        server, database = self.cpu(), postgres_cpu(self.database)
        run = closed_loop(self.base, self.deck, 8, total, "c=8")
        for pid in self.pids:
            settle(pid)
        after = postgres_cpu(self.database)
        spent = self.cpu() - server
        spent_db = sum(cpu - database.get(pid, 0.0) for pid, cpu in after.items())
        self.server_cpu += spent
        self.postgres_cpu += spent_db
        self.reviews += len(run.latencies)
        self.elapsed += run.elapsed
        if run.failed != "0":
            print(f"{self.name}: non-200 answers at c=8: {run.failed}", flush=True)
        return spent / len(run.latencies), spent_db / len(run.latencies)

    def cpu(self) -> float:
        return sum(process_cpu(pid) for pid in self.pids)

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


def one_round(sides: list[Side], crud: Side, single: int, eight: int) -> None:
    """c=1 then c=8 on each in turn; each deployment's three ratios this round, for the spread."""
    p50: dict[str, float] = {}
    for side in (*sides, crud):
        run = closed_loop(side.base, side.deck, 1, single, "c=1")
        side.single.extend(run.latencies)
        p50[side.name] = median(run.latencies)
    costs = {side.name: side.eight(eight) for side in (*sides, crud)}
    c_server, c_db = costs[crud.name]
    for side in sides:
        server, db = costs[side.name]
        side.rounds.append((server / c_server, db / c_db, p50[side.name] / p50[crud.name]))


def ratios_of(side: Side, crud: Side) -> dict[str, float]:
    return {
        "server": side.server_ms / crud.server_ms,
        "postgres": side.postgres_ms / crud.postgres_ms,
        "p50": side.p50_ms / crud.p50_ms,
    }


def report(sides: list[Side], crud: Side, rounds: int) -> bool:
    """Prints each deployment's figures beside the CRUD app's, the ratios with their goals and
    each round's ratios; True when a deployment meets all three goals."""
    figures = [
        ("server CPU ms (+ worker)", lambda s: s.server_ms),
        ("PostgreSQL CPU ms", lambda s: s.postgres_ms),
        ("reviews/s at c=8", lambda s: s.rate),
        ("p50 ms at c=1", lambda s: s.p50_ms),
    ]
    rows: list[list[object]] = []
    for label, get in figures:
        mine = [get(side) for side in sides]
        rows.append([label, *mine, get(crud), *(value / get(crud) for value in mine)])
    print(f"Aksio against a CRUD app, per review, PostgreSQL, {rounds} rounds")
    columns = ["per review", *(s.name for s in sides), crud.name]
    print(table([*columns, *(f"ratio {s.name}" for s in sides)], rows))
    met_any = False
    for side in sides:
        for n, (server, database, p50) in enumerate(side.rounds, 1):
            print(f"{side.name}, round {n}: server {server:.2f}x, PostgreSQL {database:.2f}x, "
                  f"p50 {p50:.2f}x")  # fmt: skip
        met = True
        ratios = ratios_of(side, crud)
        for key, label in (("server", "server CPU"), ("postgres", "PostgreSQL CPU"),
                           ("p50", "p50")):  # fmt: skip
            ok = ratios[key] <= GOALS[key]
            met &= ok
            print(f"{side.name}: {label} {ratios[key]:.2f}x the CRUD app "
                  f"(goal <= {GOALS[key]:g}x): {verdict(ok)}")  # fmt: skip
        met_any |= met
    return met_any


def compare(users: int, cards: int, rounds: int, single: int, eight: int) -> bool:
    """Seeds the databases, serves the apps, runs the rounds and prints the comparison."""
    with (
        tempfile.TemporaryDirectory(prefix="aksio-versus-") as name,
        pg_database() as one_url,
        pg_database() as split_url,
        pg_database() as crud_url,
    ):
        folder = Path(name)
        deck = seed_aksio(one_url, folder / "one", users, cards)
        split_deck = seed_aksio(split_url, folder / "split", users, cards)
        crud_reviews.create_schema(crud_url)
        crud_reviews.load(crud_url, [(card, owner) for card, owner, _ in deck.cards])
        split_env = server_env(folder / "split", split_url)
        with (
            served_process(server_env(folder / "one", one_url), folder) as (one_base, one),
            worker(split_env, folder) as split_worker,
            served_process(split_env, folder, "--no-workers") as (split_base, split),
            crud_served(crud_url, folder) as (c_base, c_proc),
        ):
            sides = [
                Side("one process", one_base, [one.pid], database_of(one_url), deck),
                Side("API + worker", split_base, [split.pid, split_worker.pid],
                     database_of(split_url), split_deck),
            ]  # fmt: skip
            crud_deck = Deck(list(deck.cards))
            crud = Side("CRUD", c_base, [c_proc.pid], database_of(crud_url), crud_deck)
            for side in (*sides, crud):
                closed_loop(side.base, side.deck, 4, 40, "warm-up")
            for _ in range(rounds):
                one_round(sides, crud, single, eight)
    return report(sides, crud, rounds)


def database_of(url: str) -> str:
    return url.rsplit("/", 1)[1]
