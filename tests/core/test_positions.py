"""Read-your-writes in a process that does not run the projections (`serve --no-workers`)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pytest
import sqlalchemy as sa

from aksio.bootstrap import System, build, migrate
from aksio.commands.courses import CreateCourse
from aksio.projections.courses import courses
from aksio.settings import Settings
from tests.conftest import make_settings


@pytest.fixture
def split(settings: Settings) -> Iterator[tuple[System, System]]:
    """A worker that owns every projection, and an API process without projections."""
    migrate(settings)
    worker = build(settings)
    api = build(settings, workers=False)
    yield worker, api
    api.close()
    worker.close()


def test_a_command_waits_for_projections_run_elsewhere(split: tuple[System, System]) -> None:
    worker, api = split
    assert len(worker.runner.owned) == len(worker.projections) and not api.runner.owned
    outcome = api.bus.dispatch(CreateCourse(owner_id=uuid4(), fields={"name": "Anatomy"}))
    assert api.wait_for(outcome.position)
    with api.engine.connect() as conn:
        names = conn.execute(sa.select(courses.c.name).where(courses.c.id == outcome.value))
        assert names.scalar_one() == "Anatomy"
    assert not api.watch.wait_for(outcome.position + 1_000, timeout=0.2)


def test_on_postgresql_the_wait_ends_on_the_workers_signal(tmp_path: Path, pg_url: str) -> None:
    settings = make_settings(tmp_path, pg_url)
    migrate(settings)
    worker = build(settings)
    api = build(settings, workers=False)
    api.watch.recheck_s = 60.0  # only a signal can end the wait within the timeout
    try:
        api.watch.wait_for(1, timeout=0.5)  # starts listening
        time.sleep(0.3)
        for n in range(3):
            outcome = api.bus.dispatch(CreateCourse(owner_id=uuid4(), fields={"name": f"c{n}"}))
            # The worker only hears of the command by its own poll or the log's NOTIFY.
            assert api.watch.wait_for(outcome.position, timeout=10.0)
            assert api.watch.signals > n
        assert api.watch.signals >= 3  # without the worker's announcements: 0
    finally:
        api.close()
        worker.close()


def test_an_announcement_moves_every_projection_it_names(system: System) -> None:
    """A batch's `pg_notify` names its runner's projections and position: a watcher takes
    those in without reading the table (`wait_for` is then answered from memory)."""
    watch = system.watch
    names = [p.name for p in system.projections]
    watch._heard(json.dumps({"position": 7, "names": names[:-1]}))
    assert not watch.wait_for(7, timeout=0.0)  # one projection not heard of yet
    watch._heard(json.dumps({"position": 9, "names": names[-1:]}))
    watch._heard(json.dumps({"position": 5, "names": names}))  # an older batch: no step back
    assert watch.wait_for(7, timeout=0.0) and not watch.wait_for(8, timeout=0.0)
