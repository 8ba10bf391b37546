"""Rebuilding every read model from a large store, beside the library's own speeds.

Run: `.venv/bin/python -m benchmarks.bench_rebuild [--events 200000] [--profile]`. Fills a
fresh PostgreSQL database (then a SQLite one) with Course aggregates of 8 events each, saved
through `store.save(*aggregates)` in chunks, then times `runner.rebuild(all projections)`.
For scale it also times saving one event per `store.save` call, reading the raw notifications
in pages of 1,000, and reading plus decoding them into domain events. `--profile` shows the
main thread only: the rebuild reads ahead and writes batches in two other threads.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from aksio.aggregates.courses.course import Course
from aksio.bootstrap import System, build, migrate
from aksio.core.store import EventStore
from aksio.projections.courses import courses, sections
from aksio.settings import Settings
from benchmarks.common import SECRET, table, verdict, workspace

REBUILD_BUDGET = {"postgresql": 50_000.0}  # events/s
EVENTS_PER_COURSE = 8
COURSES_PER_SAVE = 250
SINGLE_SAVES = 2_000
PAGE = 1_000


def course_history(owner: uuid.UUID, n: int) -> Course:
    """One course with 8 events: created, 2 updates, 3 sections, a section change, archived."""
    course = Course.create(owner, {"name": f"Course {n}", "start_date": date(2025, 1, 13)})
    course.update({"description": f"About course {n}", "credits": n % 10})
    course.update({"semester": "Spring 2025"})
    ids = [uuid.uuid4() for _ in range(3)]
    for order, section_id in enumerate(ids):
        course.add_section(section_id, {"title": f"Week {order + 1}", "order": order})
    course.update_section(ids[0], {"title": "Introduction"})
    course.set_status("archived")
    return course


def fill(store: EventStore, events: int) -> tuple[int, float]:
    """Saves courses until `events` are stored; returns (courses, seconds)."""
    total_courses = -(-events // EVENTS_PER_COURSE)
    owners = [uuid.uuid4() for _ in range(max(1, total_courses // 20))]
    began = time.perf_counter()
    for start in range(0, total_courses, COURSES_PER_SAVE):
        stop = min(start + COURSES_PER_SAVE, total_courses)
        store.save(*(course_history(owners[n % len(owners)], n) for n in range(start, stop)))
    return total_courses, time.perf_counter() - began


def timed(action: Callable[[], int]) -> tuple[int, float]:
    began = time.perf_counter()
    count = action()
    return count, time.perf_counter() - began


def single_saves(store: EventStore) -> int:
    owner = uuid.uuid4()
    for n in range(SINGLE_SAVES):
        store.save(Course.create(owner, {"name": f"Single {n}"}))
    return SINGLE_SAVES


def read_all(store: EventStore, decode: bool) -> int:
    count, after = 0, 0
    to_event = store.mapper.to_domain_event
    while page := store.read(after=after, limit=PAGE):
        if decode:
            for notification in page:
                to_event(notification)
        count += len(page)
        after = page[-1].id
    return count


def rebuild(system: System, profile: bool) -> tuple[int, float]:
    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    result = timed(lambda: system.runner.rebuild(system.projections))
    if profiler:
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(20)
        stats.sort_stats("tottime").print_stats(15)
        print(out.getvalue())
    return result


def check_rebuilt(system: System, expected_courses: int) -> None:
    with system.engine.connect() as conn:
        found = conn.execute(sa.select(sa.func.count()).select_from(courses)).scalar_one()
        parts = conn.execute(sa.select(sa.func.count()).select_from(sections)).scalar_one()
    if (found, parts) != (expected_courses, 3 * expected_courses):
        raise RuntimeError(f"rebuilt {found} courses and {parts} sections, not {expected_courses}")


def bench(name: str, url: str | None, folder: Path, events: int, profile: bool) -> list[object]:
    settings = Settings(database_url=url, data_dir=folder, secret_key=SECRET)
    migrate(settings)
    system = build(settings, workers=False)
    try:
        made, fill_s = fill(system.store, events)
        stored = system.store.head()
        rebuilt, rebuild_s = rebuild(system, profile)
        check_rebuilt(system, made)
        singles, singles_s = timed(lambda: single_saves(system.store))
        raw, raw_s = timed(lambda: read_all(system.store, decode=False))
        decoded, decoded_s = timed(lambda: read_all(system.store, decode=True))
    finally:
        system.close()
    rate = rebuilt / rebuild_s
    budget = REBUILD_BUDGET.get(name)
    goal = f">= {budget:,.0f}: {verdict(rate >= budget)}" if budget else "(none)"
    return [
        name, stored, stored / fill_s, rebuild_s, rate, goal,
        singles / singles_s, raw / raw_s, decoded / decoded_s,
    ]  # fmt: skip


def main() -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--events", type=int, default=200_000)
    args.add_argument("--backends", default="postgresql,sqlite")
    args.add_argument("--profile", action="store_true", help="cProfile the rebuild's main thread")
    options = args.parse_args()
    rows = []
    for name in options.backends.split(","):
        with workspace(name) as (url, folder):
            rows.append(bench(name, url, folder, options.events, options.profile))
    print(f"rebuild of every projection from {options.events:,} events (rates in events/s)")
    columns = ["backend", "events", "bulk save/s", "rebuild s", "rebuild/s", "budget"]
    print(table([*columns, "1-event save/s", "raw read/s", "read+decode/s"], rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
