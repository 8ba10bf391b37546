"""Two `aksio worker` processes: the owner's lock session is killed under load.

The standby takes over, the old owner notices and stops, nothing is written twice:
the read models equal a rebuild from the log.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
import sqlalchemy as sa

from aksio.bootstrap import System, build, migrate
from aksio.commands.courses import AddSection, CreateCourse
from aksio.projections.engine.leases import leases
from aksio.projections.engine.positions import read_positions
from tests.conftest import make_settings
from tests.test_serve_e2e import server_env

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


class Worker:
    def __init__(self, env: dict[str, str], workdir: Path, name: str) -> None:
        self.log = workdir / f"worker-{name}.log"
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "aksio.cli", "worker"],
                env=env, cwd=workdir, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def eventually(check: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    pytest.fail(f"not within {timeout}s: {what}")


def owners(system: System) -> dict[str, UUID]:
    """Each projection's and reactor's lease holder."""
    with system.engine.connect() as conn:
        return {
            name: owner for name, owner in conn.execute(sa.select(leases.c.name, leases.c.owner))
        }


def snapshot(system: System) -> dict[str, list[str]]:
    with system.engine.connect() as conn:
        return {
            table.name: sorted(repr(tuple(row)) for row in conn.execute(sa.select(table)))
            for projection in system.projections
            for table in projection.tables
        }


@pytest.fixture
def workers(pg_url: str, tmp_path: Path) -> Iterator[list[Worker]]:
    started: list[Worker] = []
    yield started
    for worker in started:
        worker.stop()


def test_killing_the_owners_lock_session_under_load(
    pg_url: str, tmp_path: Path, workers: list[Worker]
) -> None:
    settings = make_settings(tmp_path, pg_url)
    migrate(settings)
    env = server_env(settings.data_dir, pg_url)
    client = build(settings, workers=False)
    try:
        first = Worker(env, tmp_path, "first")
        workers.append(first)
        names = {p.name for p in client.projections}
        eventually(lambda: "worker running; owns" in first.output(), 60, "first worker up")
        eventually(lambda: names <= set(owners(client)), 10, "every projection leased")
        before = owners(client)
        second = Worker(env, tmp_path, "second")
        workers.append(second)
        eventually(lambda: "worker running; owns []" in second.output(), 60, "standby up")

        stop = threading.Event()
        made: list[UUID] = []

        def load() -> None:
            while not stop.is_set() and len(made) < 2000:
                owner = uuid4()
                course = client.bus.dispatch(CreateCourse(owner_id=owner, fields={"name": "c"}))
                client.bus.dispatch(
                    AddSection(owner_id=owner, course_id=course.value, fields={"title": "s"})
                )
                made.append(course.value)

        loader = threading.Thread(target=load)
        loader.start()
        try:
            eventually(lambda: len(made) > 50, 30, "load under way")
            with psycopg.connect(pg_url, autocommit=True) as admin:
                killed = admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = %s",
                    (f"aksio-locks-{first.proc.pid}",),
                ).fetchall()
            assert killed and all(ok for (ok,) in killed)
            eventually(
                lambda: all(owners(client)[n] != before[n] for n in before),
                20,
                "the standby took every projection and reactor over",
            )
            eventually(lambda: "giving up" in first.output(), 20, "the old owner stopped")
            time.sleep(1.0)
        finally:
            stop.set()
            loader.join()

        head = client.store.head()
        eventually(
            lambda: all(read_positions(client.engine)[n][0] == head for n in names),
            60,
            "projections caught up",
        )
        assert first.proc.poll() is None and second.proc.poll() is None
        for worker in workers:
            worker.stop()
        live = snapshot(client)
        assert len(live["rm_courses"]) == len(made)
        client.runner.rebuild(client.projections)
        assert snapshot(client) == live
    finally:
        client.close()
