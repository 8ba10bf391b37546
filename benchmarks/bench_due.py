"""`due/` latency with 1,000,000 cards across 10,000 users in the flashcards read model.

Run: `.venv/bin/python -m benchmarks.bench_due [--cards 1000000] [--users 10000]`.
The rows go straight into `rm_flashcards` (no events: the read model alone is measured),
on SQLite with SQLAlchemy Core executemany in chunks and on PostgreSQL with COPY, then
ANALYZE. The mix per user: a few courses; a fifth of the cards never reviewed (due since
they were made), the rest reviewed with a next review from 20 days ago to 200 days ahead;
one card in twenty archived. Timed: `list_due`, the query function the route calls, in
process for `--queries` random users (all of a user's due cards, then one course's), and
`GET flashcards/due/` on `aksio serve` for a sample; the plan each database chose is printed.
"""

from __future__ import annotations

import argparse
import json
import random
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from aksio.bootstrap import build, migrate
from aksio.integrations.tokens import TokenService
from aksio.projections.engine.db import make_engine
from aksio.projections.flashcards.projection import flashcards
from aksio.projections.flashcards.queries import list_due
from aksio.settings import Settings
from benchmarks.common import (
    SECRET,
    percentile,
    served,
    server_env,
    table,
    verdict,
    workspace,
)

P99_BUDGET_MS = 10.0
CHUNK = 50_000
COURSES_PER_USER = 4
WARMUP = 50
DUE_PATH = "/api/v1/assessments/flashcards/due/"
FIXED: dict[str, Any] = {
    "answer": "An answer of ordinary length, a sentence or two.",
    "difficulty_level": "medium",
    "explanation": None,
    "source": None,
    "external_id": None,
    "scheduler": "sm2",
    "fsrs_state": 1,
    "fsrs_step": 0,
    "fsrs_stability": None,
    "fsrs_difficulty": None,
}


class Population:
    """Users, their courses, and the rows of their cards, made reproducibly."""

    def __init__(self, users: int, cards: int, now: datetime) -> None:
        self.rng = random.Random(5)
        self.now = now
        self.users = [uuid.UUID(int=self.rng.getrandbits(128)) for _ in range(users)]
        self.courses = {
            u: [uuid.UUID(int=self.rng.getrandbits(128)) for _ in range(COURSES_PER_USER)]
            for u in self.users
        }
        self.cards = cards

    def row(self, n: int) -> dict[str, Any]:
        rng, owner = self.rng, self.users[n % len(self.users)]
        created = self.now - timedelta(days=rng.uniform(1, 400))
        reviews = 0 if rng.random() < 0.2 else rng.randint(1, 30)
        due = created if not reviews else self.now + timedelta(days=rng.uniform(-20, 200))
        successes = rng.randint(0, reviews)
        return {
            **FIXED,
            "id": uuid.UUID(int=rng.getrandbits(128)),
            "owner_id": owner,
            "course_id": rng.choice(self.courses[owner]),
            "question": f"Question {n}: what does this card ask?",
            "tags": ["anatomy"] if n % 3 == 0 else [],
            "status": "archived" if rng.random() < 0.05 else "active",
            "next_review_date": due,
            "interval_days": max(1, round((due - created).days / 3)) if reviews else 0,
            "ease_factor": round(rng.uniform(1.3, 2.8), 2),
            "repetitions": reviews,
            "total_reviews": reviews,
            "successes": successes,
            "lapses": reviews - successes,
            "success_rate": successes / reviews if reviews else 0.0,
            "mastery": "learning" if reviews else "new",
            "last_reviewed_at": due - timedelta(days=3) if reviews else None,
            "review_seq": reviews,
            "created_at": created,
            "recorded_at": created,
            "updated_at": created,
        }

    def chunks(self) -> Iterator[list[dict[str, Any]]]:
        for start in range(0, self.cards, CHUNK):
            yield [self.row(n) for n in range(start, min(start + CHUNK, self.cards))]


def load_sqlite(engine: sa.Engine, people: Population) -> None:
    with engine.begin() as conn:
        for chunk in people.chunks():
            conn.execute(flashcards.insert(), chunk)


def load_postgres(engine: sa.Engine, people: Population) -> None:
    names = [c.name for c in flashcards.columns]
    statement = f"COPY {flashcards.name} ({', '.join(names)}) FROM STDIN"
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for chunk in people.chunks():
            with cursor.copy(statement) as copy:
                for row in chunk:
                    copy.write_row([json.dumps(row[k]) if k == "tags" else row[k] for k in names])
        raw.commit()
    finally:
        raw.close()


def analyze(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("ANALYZE"))


def plan(conn: Connection, owner: uuid.UUID, now: datetime) -> str:
    """How the database runs `list_due`'s own statement, in a line."""
    seen: list[tuple[str, Any]] = []

    def capture(*args: Any) -> None:
        seen.append((args[2], args[3]))  # (conn, cursor, statement, parameters, ...)

    sa.event.listen(conn, "before_cursor_execute", capture)
    try:
        list_due(conn, owner, now)
    finally:
        sa.event.remove(conn, "before_cursor_execute", capture)
    statement, parameters = seen[-1]
    if conn.dialect.name == "postgresql":
        rows = conn.exec_driver_sql(f"EXPLAIN {statement}", parameters).fetchall()
        nodes = [str(r[0]).strip().removeprefix("->").strip() for r in rows]
        return " | ".join(n.split("  (cost")[0] for n in nodes if "(cost" in n)
    rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()
    return " | ".join(str(r[-1]) for r in rows)


def timed_queries(
    engine: sa.Engine, people: Population, queries: int
) -> tuple[dict[str, list[float]], str]:
    """ms per `list_due` call for random users: all due cards, then one course's."""
    rng, now = random.Random(9), datetime.now(UTC)
    calls: dict[str, Callable[[Connection, uuid.UUID], object]] = {
        "list_due(user)": lambda c, u: list_due(c, u, now),
        "list_due(user, course)": lambda c, u: list_due(
            c, u, now, course_id=rng.choice(people.courses[u])
        ),
    }
    timings: dict[str, list[float]] = {}
    with engine.connect() as conn:
        for label, call in calls.items():
            timings[label] = []
            for n in range(queries + WARMUP):
                owner = rng.choice(people.users)
                began = time.perf_counter()
                call(conn, owner)
                if n >= WARMUP:
                    timings[label].append((time.perf_counter() - began) * 1000)
        shown = plan(conn, people.users[0], now)
    return timings, shown


def over_http(base: str, people: Population, requests: int) -> list[float]:
    """ms per `GET due/` for random users, one after another."""
    tokens, rng, now = TokenService(SECRET), random.Random(13), datetime.now(UTC)
    latencies: list[float] = []
    cards = 0
    with httpx.Client(base_url=base, timeout=30) as http:
        for n in range(requests + WARMUP):
            owner = rng.choice(people.users)
            headers = {"Authorization": f"Bearer {tokens.access(owner, now)}"}
            began = time.perf_counter()
            response = http.get(DUE_PATH, headers=headers)
            took = (time.perf_counter() - began) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"due/: {response.status_code} {response.text[:300]}")
            cards += len(response.json())
            if n >= WARMUP:
                latencies.append(took)
    if not cards:
        raise RuntimeError("due/ answered no cards at all: the server lost the loaded rows")
    return latencies


def load(settings: Settings, people: Population) -> tuple[float, int]:
    """Creates the tables (the projections claimed, so a server keeps the rows), fills
    `rm_flashcards` and analyzes; (seconds, due rows)."""
    migrate(settings)
    system = build(settings, start_threads=False)
    try:
        began = time.perf_counter()
        loader = load_postgres if settings.uses_postgres else load_sqlite
        loader(system.engine, people)
        analyze(system.engine)
        seconds = time.perf_counter() - began
        with system.engine.connect() as conn:
            due = conn.execute(
                sa.select(sa.func.count()).where(
                    flashcards.c.status == "active", flashcards.c.next_review_date <= people.now
                )
            ).scalar_one()
    finally:
        system.close()
    return seconds, int(due)


def bench(name: str, url: str | None, folder: Path, args: argparse.Namespace) -> list[list[object]]:
    people = Population(args.users, args.cards, datetime.now(UTC))
    settings = Settings(database_url=url, data_dir=folder / "var", secret_key=SECRET)
    seconds, due = load(settings, people)
    print(
        f"{name}: {args.cards:,} cards ({due:,} due) for {args.users:,} users "
        f"loaded and analyzed in {seconds:.1f} s",
        flush=True,
    )
    engine = make_engine(settings)
    try:
        timings, shown = timed_queries(engine, people, args.queries)
    finally:
        engine.dispose()
    print(f"{name} plan: {shown}", flush=True)
    with served(server_env(folder / "var", url), folder) as base:
        timings["GET due/ (HTTP)"] = over_http(base, people, args.requests)
    rows: list[list[object]] = []
    for label, ms in timings.items():
        p99 = percentile(ms, 99)
        budget = (
            "(none)" if "HTTP" in label else f"< {P99_BUDGET_MS:g}: {verdict(p99 < P99_BUDGET_MS)}"
        )
        rows.append([name, label, len(ms), percentile(ms, 50), p99, max(ms), budget])
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=2_000, help="in-process, per kind")
    parser.add_argument("--requests", type=int, default=300, help="over HTTP")
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    rows: list[list[object]] = []
    for name in args.backends.split(","):
        with workspace(name) as (url, folder):
            rows += bench(name, url, folder, args)
    print(f"\ndue/ with {args.cards:,} cards across {args.users:,} users (p99 budget in process)")
    columns = ["backend", "query", "queries", "p50 ms", "p99 ms", "max ms", "p99 budget ms"]
    print(table(columns, rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
