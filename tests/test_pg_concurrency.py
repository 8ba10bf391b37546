"""Several OS processes on one PostgreSQL database: writers, migrations, projection owners."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from aksio.bootstrap import System, all_projections, build, migrate
from aksio.commands.courses import CreateCourse, UpdateCourse
from aksio.projections import courses as q
from aksio.projections.engine.locks import lock_key
from aksio.projections.engine.positions import read_positions
from aksio.settings import Settings

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

SECRET = "concurrency-secret-key-that-is-long-enough"
COURSES_EACH = 200
UPDATE_EVERY = 2  # each writer updates the shared course after every second course it creates
FIELD_OF = {"a": "description", "b": "university"}  # each writer owns one field


def settings_for(url: str, data_dir: Path) -> Settings:
    return Settings(database_url=url, data_dir=data_dir, secret_key=SECRET)


def _write(url: str, data_dir: str, owner: str, shared: str, tag: str, start: Any) -> None:
    """One writer process: creates courses and updates the shared one through the real bus."""
    system = build(settings_for(url, Path(data_dir)), workers=False)
    owner_id, course_id = uuid.UUID(owner), uuid.UUID(shared)
    start.wait()
    try:
        for i in range(COURSES_EACH):
            system.bus.dispatch(CreateCourse(owner_id=owner_id, fields={"name": f"{tag}-{i}"}))
            if i % UPDATE_EVERY == 0:
                changes = {FIELD_OF[tag]: f"{tag}-{i}"}
                system.bus.dispatch(
                    UpdateCourse(owner_id=owner_id, course_id=course_id, changes=changes)
                )
    finally:
        system.close()


@pytest.fixture
def pg_settings(pg_url: str, tmp_path: Path) -> Settings:
    settings = settings_for(pg_url, tmp_path / "var")
    migrate(settings)
    return settings


@pytest.fixture
def writer_system(pg_settings: Settings) -> Iterator[System]:
    """A system that writes but runs no projections (they run in other processes)."""
    system = build(pg_settings, workers=False)
    yield system
    system.close()


def stored_events(url: str) -> list[tuple[int, uuid.UUID, int]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT notification_id, originator_id, originator_version"
            " FROM aksio_events ORDER BY notification_id"
        ).fetchall()
    return [(int(n), o, int(v)) for n, o, v in rows]


def test_two_writer_processes_store_every_event_once(
    pg_settings: Settings, writer_system: System
) -> None:
    owner = uuid.uuid4()
    shared = writer_system.bus.dispatch(CreateCourse(owner_id=owner, fields={"name": "shared"}))
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(2)
    url, data_dir = str(pg_settings.database_url), str(pg_settings.data_dir)
    common = (url, data_dir, str(owner), str(shared.value))
    writers = [context.Process(target=_write, args=(*common, tag, start)) for tag in FIELD_OF]
    for process in writers:
        process.start()
    for process in writers:
        process.join(timeout=240)
        assert process.exitcode == 0

    events = stored_events(url)
    updates_each = len(range(0, COURSES_EACH, UPDATE_EVERY))
    assert len(events) == 1 + 2 * COURSES_EACH + 2 * updates_each
    assert len({n for n, _, _ in events}) == len(events)
    versions: dict[uuid.UUID, list[int]] = defaultdict(list)
    for _, originator, version in events:
        versions[originator].append(version)
    assert all(v == list(range(1, len(v) + 1)) for v in versions.values())
    assert len(versions[shared.value]) == 1 + 2 * updates_each

    reader = build(pg_settings, workers=True, start_threads=False)
    try:
        reader.drain()
        head = reader.store.head()
        assert all(pos == head for pos, _ in read_positions(reader.engine).values())
        with reader.engine.connect() as conn:
            assert q.list_courses(conn, owner, 1, 1).count == 1 + 2 * COURSES_EACH
            row = q.get_course(conn, owner, shared.value)
        last = (updates_each - 1) * UPDATE_EVERY
        assert row is not None
        assert (row["description"], row["university"]) == (f"a-{last}", f"b-{last}")
    finally:
        reader.close()


def cli_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AKSIO_")}
    env["AKSIO_DATABASE_URL"] = str(settings.database_url)
    env["AKSIO_DATA_DIR"] = str(settings.data_dir)
    env["AKSIO_SECRET_KEY"] = SECRET
    return env


def test_two_migrations_started_together_both_succeed(pg_url: str, tmp_path: Path) -> None:
    env = cli_env(settings_for(pg_url, tmp_path / "var"))
    command = [sys.executable, "-m", "aksio.cli", "migrate"]
    pair = [
        subprocess.Popen(command, env=env, cwd=tmp_path, stderr=subprocess.PIPE) for _ in range(2)
    ]
    for process in pair:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err.decode(errors="replace")
    with psycopg.connect(pg_url) as conn:
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables")}
    assert {"aksio_events", "projection_tracking", "rm_courses"} <= tables


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def projection_lock_holders(url: str) -> dict[int, int]:
    """Projection lock key -> the backend pid holding it (granted advisory locks only)."""
    keys = {lock_key(p.name) for p in all_projections()}
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT objid::bigint, pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        ).fetchall()
    return {int(key): int(pid) for key, pid in rows if int(key) in keys}


class Worker:
    def __init__(self, settings: Settings, log: Path) -> None:
        self.log = log
        with log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "aksio.cli", "worker"],
                env=cli_env(settings),
                cwd=log.parent,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def owned_line(self) -> str:
        """The line the worker prints once it has claimed what it can."""
        wait_until(lambda: "worker running" in self.log.read_text(), f"{self.log.name} to start")
        return next(line for line in self.log.read_text().splitlines() if "worker running" in line)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)
        return self.proc.returncode


def caught_up(system: System, position: int) -> Callable[[], bool]:
    def check() -> bool:
        positions = read_positions(system.engine)
        return all(positions.get(p.name, (0, 0))[0] >= position for p in system.projections)

    return check


def test_standby_worker_takes_over_projections(
    pg_settings: Settings, writer_system: System, tmp_path: Path
) -> None:
    url, names = str(pg_settings.database_url), [p.name for p in all_projections()]
    first = Worker(pg_settings, tmp_path / "first.log")
    second: Worker | None = None
    try:
        assert all(name in first.owned_line() for name in names)
        second = Worker(pg_settings, tmp_path / "second.log")
        assert second.owned_line().endswith("owns []")

        owner = uuid.uuid4()
        done = writer_system.bus.dispatch(CreateCourse(owner_id=owner, fields={"name": "one"}))
        wait_until(caught_up(writer_system, done.position), "the first worker")
        holders = projection_lock_holders(url)
        assert len(holders) == len(names) and len(set(holders.values())) == 1

        assert first.stop() == 0
        done = writer_system.bus.dispatch(CreateCourse(owner_id=owner, fields={"name": "two"}))
        wait_until(caught_up(writer_system, done.position), "the standby worker to take over")
        assert second.proc.poll() is None
        taken = projection_lock_holders(url)
        assert len(taken) == len(names) and len(set(taken.values())) == 1
        assert set(taken.values()) != set(holders.values())
        with writer_system.engine.connect() as conn:
            assert [r["name"] for r in q.list_courses(conn, owner, 1, 10).rows] == ["one", "two"]
    finally:
        first.stop()
        if second is not None:
            assert second.stop() == 0
