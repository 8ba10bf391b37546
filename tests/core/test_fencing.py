"""Fencing: an owner whose lock was lost writes nothing once another process took over."""

from __future__ import annotations

import time
from collections.abc import Iterator
from uuid import uuid4

import pytest
import sqlalchemy as sa

from aksio.bootstrap import System, build, migrate
from aksio.commands.courses import CreateCourse
from aksio.projections.courses import courses
from aksio.projections.engine.leases import LostOwnership
from aksio.projections.engine.positions import read_positions
from aksio.settings import Settings


@pytest.fixture
def pair(settings: Settings) -> Iterator[tuple[System, System]]:
    migrate(settings)
    first = build(settings, start_threads=False)
    second = build(settings, start_threads=False)
    yield first, second
    second.close()
    first.close()


def course_ids(system: System) -> set[object]:
    with system.engine.connect() as conn:
        return set(conn.execute(sa.select(courses.c.id)).scalars())


def claim_all(system: System) -> None:
    """Claims as the runner's follower does, every so often: a closed session's locks are
    free once its server process has ended, a moment after the close."""
    deadline = time.monotonic() + 10
    while len(system.runner.owned) < len(system.projections) and time.monotonic() < deadline:
        system.runner.claim()
        time.sleep(0.05)
    assert len(system.runner.owned) == len(system.projections)


def test_a_stale_owner_commits_nothing_after_a_takeover(pair: tuple[System, System]) -> None:
    first, second = pair
    assert first.runner.owned and not second.runner.owned
    made = first.bus.dispatch(CreateCourse(owner_id=uuid4(), fields={"name": "a"})).value
    first.runner.drain()
    assert course_ids(first) == {made}
    before = read_positions(first.engine)

    first.runner.locks.close()  # its lock session dies; it has not noticed yet
    claim_all(second)
    later = first.bus.dispatch(CreateCourse(owner_id=uuid4(), fields={"name": "b"})).value

    with pytest.raises(LostOwnership):
        first.runner.run_once()
    assert course_ids(first) == {made}  # its batch was rolled back whole
    assert read_positions(first.engine) == before

    second.runner.drain()
    assert course_ids(first) == {made, later}


def test_an_owner_that_notices_its_lost_lock_gives_up(pair: tuple[System, System]) -> None:
    first, _ = pair
    first.runner.locks.close()
    first.runner.verify_locks()
    assert first.runner.owned == []
    claim_all(first)  # the locks are free again: it takes them back, with new leases
    first.bus.dispatch(CreateCourse(owner_id=uuid4(), fields={"name": "c"}))
    first.runner.drain()
    assert len(course_ids(first)) == 1


def test_a_stale_reactor_gives_up_at_its_next_position(pair: tuple[System, System]) -> None:
    first, second = pair
    old, new = first.reactors[0], second.reactors[0]
    old.run_once(settle=True)
    assert old.owned and not new.run_once(settle=True)
    old.locks.close()
    deadline = time.monotonic() + 10  # the closed session's lock is free a moment later
    while not new.owned and time.monotonic() < deadline:
        new.run_once(settle=True)
        time.sleep(0.05)
    assert new.owned
    first.bus.dispatch(CreateCourse(owner_id=uuid4(), fields={"name": "d"}))
    with pytest.raises(LostOwnership):
        old._save_position(first.store.head())
    assert not old.owned and old.position is None
