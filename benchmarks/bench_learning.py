"""Latency of `analytics/overview/` and `accounts/dashboard/` for learners with long histories.

Run: `.venv/bin/python -m benchmarks.bench_learning [--users 20] [--requests 300]`.
Each learner has two years of study ending now, exactly `--events` (50,000) stored
learning events: a plan a quarter with 12 goals, ~30 completed sessions on 9 days of 10
(two events each) and progress updates; the profile zone is Europe/Oslo, so every
figure is converted across daylight-saving changes. The events are saved straight
through the store in chunks, the projections catch up in-process, then `aksio serve`
answers the requests over HTTP (after ANALYZE, or VACUUM ANALYZE on PostgreSQL, as the
database's own maintenance would run after such a bulk load). "One user" is a store
holding one such learner; "many users" a store holding `--users` of them, with each
request for a random one.
"""

from __future__ import annotations

import argparse
import os
import random
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import sqlalchemy as sa
from eventsourcing.domain import Aggregate
from sqlalchemy.engine import Connection

from aksio.aggregates.accounts.user import User
from aksio.aggregates.learning.goal import Goal
from aksio.aggregates.learning.study_plan import StudyPlan
from aksio.aggregates.learning.study_session import StudySession
from aksio.bootstrap import build, migrate
from aksio.core.store import EventStore
from aksio.integrations.tokens import TokenService
from aksio.projections.learning.activity import activity_dashboard
from aksio.projections.learning.analytics import overview
from aksio.projections.learning.time import user_zone
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

P99_BUDGET_MS = 100.0
ENDPOINTS = ("/api/v1/learning/analytics/overview/", "/api/v1/accounts/dashboard/")
CHUNK = 600
DAYS = 730
EVENTS_PER_SESSION = 2.33  # start, completion and progress on 30 % of sessions


class Learner:
    """Writes one learner's history as aggregates, `CHUNK` at a time."""

    def __init__(self, owner: uuid.UUID, end: datetime, target: int, seed: int) -> None:
        self.owner, self.end, self.target = owner, end, target
        self.rng = random.Random(seed)
        self.events = 0
        self.goals: list[Goal] = []
        self.plan: StudyPlan | None = None

    def _new_plan(self, day: date, at: datetime) -> list[Aggregate]:
        fields = {"title": f"Plan {day:%Y-%m}", "start_date": day,
                  "end_date": day + timedelta(days=90)}  # fmt: skip
        plan = StudyPlan.create(self.owner, fields, at)
        self.goals = []
        for n in range(12):
            goal = Goal.create(self.owner, plan.id, {"title": f"Goal {n}", "priority": 1 + n % 5,
                               "estimated_hours": 10 + 3 * n, "key_concepts": [f"c{n}"],
                               "target_date": day + timedelta(days=7 * n)}, at)  # fmt: skip
            plan.add_goal(goal.id, [self.goals[-1].id] if n % 3 else [], at)
            self.goals.append(goal)
        self.plan = plan
        self.events += 1 + 2 * len(self.goals)
        return [plan, *self.goals]

    def _session(self, at: datetime) -> tuple[list[Aggregate], int]:
        """A completed session, sometimes with progress on its goal, and its event count."""
        open_goals = [g for g in self.goals if not g.completed]
        goal = self.rng.choice(open_goals) if open_goals else None
        session = StudySession.start(self.owner, self.plan.id if self.plan else None, {}, at)
        session.complete(at + timedelta(minutes=self.rng.randint(5, 40)),
                         rating=self.rng.randint(1, 5), notes=None, topics=[],
                         goals=[goal.id] if goal else [], progress_updates=[])  # fmt: skip
        if goal is None or self.rng.random() >= 0.3:
            return [session], 2
        before = len(goal.pending_events)
        goal.update_progress(min(100, goal.progress + self.rng.randint(2, 10)), at)
        return [session, goal], 2 + len(goal.pending_events) - before

    def chunks(self) -> Iterator[list[Aggregate]]:
        pending: dict[uuid.UUID, Aggregate] = {}
        user = User.register(self.owner, f"{self.owner.hex}@example.com", self.owner.hex, "x", {})
        user.update_profile({"timezone": "Europe/Oslo"})
        pending[user.id] = user
        self.events = 2
        first = (self.end - timedelta(days=DAYS)).date()
        for offset in range(DAYS + 1):
            day = first + timedelta(days=offset)
            morning = datetime(day.year, day.month, day.day, 5, tzinfo=UTC)
            if offset % 91 == 0:
                for aggregate in self._new_plan(day, morning):
                    pending[aggregate.id] = aggregate
            if self.rng.random() < 0.9:
                left = (self.target - self.events) / (DAYS + 1 - offset)
                for _ in range(max(1, round(left / EVENTS_PER_SESSION / 0.9))):
                    at = morning + timedelta(minutes=self.rng.randint(0, 17 * 60))
                    if at > self.end:
                        continue
                    batch, count = self._session(at)
                    if self.events + count > self.target:
                        yield list(pending.values())
                        return
                    self.events += count
                    pending.update({a.id: a for a in batch})
            if len(pending) >= CHUNK:
                yield list(pending.values())
                pending = {}
        yield list(pending.values())


def fill(store: EventStore, owners: list[uuid.UUID], events: int) -> float:
    began = time.perf_counter()
    end = datetime.now(UTC) - timedelta(hours=1)
    for n, owner in enumerate(owners):
        for chunk in Learner(owner, end, events, seed=n).chunks():
            if chunk:
                store.save(*chunk)
    return time.perf_counter() - began


def project(settings: Settings, owners: list[uuid.UUID], events: int) -> tuple[float, float, int]:
    """Fills the store, then lets every projection and reactor catch up, so that the server
    measured afterwards has no backlog to work through; (fill s, catch-up s, events)."""
    migrate(settings)
    system = build(settings, start_threads=False)
    try:
        fill_s = fill(system.store, owners, events)
        began = time.perf_counter()
        system.drain()
        project_s = time.perf_counter() - began
        analyze(system.engine)
        return fill_s, project_s, system.store.head()
    finally:
        system.close()


def analyze(engine: sa.Engine) -> None:
    """Planner statistics, as autovacuum (PostgreSQL) would have them after a bulk load."""
    with engine.connect() as conn:
        statement = "VACUUM ANALYZE" if conn.dialect.name == "postgresql" else "ANALYZE"
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text(statement))


def in_process(
    settings: Settings, owners: list[uuid.UUID], requests: int
) -> dict[str, list[float]]:
    """The query functions alone (no HTTP, no auth), in ms, for the same endpoints."""
    system = build(settings, workers=False)
    rng = random.Random(7)
    timings: dict[str, list[float]] = {path: [] for path in ENDPOINTS}
    queries: dict[str, Callable[[Connection, uuid.UUID, ZoneInfo, datetime], object]] = {
        ENDPOINTS[0]: lambda c, o, tz, now: overview(c, o, tz, now, 30),
        ENDPOINTS[1]: lambda c, o, tz, now: activity_dashboard(c, o, tz, now),
    }
    try:
        with system.engine.connect() as conn:
            for path, query in queries.items():
                for n in range(requests + 20):
                    owner = rng.choice(owners)
                    began = time.perf_counter()
                    query(conn, owner, user_zone(conn, owner), datetime.now(UTC))
                    if n >= 20:
                        timings[path].append((time.perf_counter() - began) * 1000)
    finally:
        system.close()
    return timings


def measure(base: str, owners: list[uuid.UUID], path: str, requests: int) -> list[float]:
    tokens = TokenService(SECRET)
    headers = {
        o: {"Authorization": f"Bearer {tokens.access(o, datetime.now(UTC))}"} for o in owners
    }
    rng = random.Random(7)
    latencies: list[float] = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for n in range(requests + 20):
            owner = rng.choice(owners)
            began = time.perf_counter()
            response = client.get(path, headers=headers[owner])
            elapsed = time.perf_counter() - began
            if response.status_code != 200:
                raise RuntimeError(f"{path}: {response.status_code} {response.text[:300]}")
            if n >= 20:  # the first requests warm caches and connections up
                latencies.append(elapsed)
    return latencies


def bench(
    name: str, url: str | None, folder: Path, users: int, options: argparse.Namespace
) -> list[list[object]]:
    owners = [uuid.uuid4() for _ in range(users)]
    settings = Settings(database_url=url, data_dir=folder, secret_key=SECRET)
    fill_s, project_s, stored = project(settings, owners, options.events)
    local = in_process(settings, owners, options.requests)
    rows: list[list[object]] = []
    with served(server_env(folder, url), folder) as base:
        for path in ENDPOINTS:
            ms = [x * 1000 for x in measure(base, owners, path, options.requests)]
            p99 = percentile(ms, 99)
            rows.append([
                name, users, stored, path.split("/")[-2], percentile(local[path], 50),
                percentile(local[path], 99), percentile(ms, 50), p99,
                f"<= {P99_BUDGET_MS:.0f}: {verdict(p99 <= P99_BUDGET_MS)}",
            ])  # fmt: skip
    print(
        f"{name}, {users} learner(s): {stored:,} events saved in {fill_s:.1f} s, "
        f"projections and reactors caught up in {project_s:.1f} s "
        f"({stored / project_s:,.0f} events/s)",
        flush=True,
    )
    return rows


def main() -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--events", type=int, default=50_000, help="events per learner")
    args.add_argument("--users", type=int, default=20, help="learners in the 'many' store")
    args.add_argument("--requests", type=int, default=300, help="measured requests per endpoint")
    args.add_argument("--backends", default="sqlite,postgresql")
    options = args.parse_args()
    rows: list[list[object]] = []
    for name in options.backends.split(","):
        for users in (1, options.users):
            with workspace(name) as (url, folder):
                rows += bench(name, url, folder, users, options)
    print(
        f"GET latency in ms over HTTP, {options.requests} requests each, learners of "
        f"{options.events:,} events (two years)"
    )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"(query = the query function in-process; HTTP = `aksio serve` over loopback; "
        f"load average {load} on {os.cpu_count()} CPUs)"
    )
    columns = ["backend", "learners", "events", "endpoint", "query p50", "query p99"]
    print(table([*columns, "HTTP p50", "HTTP p99", "HTTP p99 budget"], rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
