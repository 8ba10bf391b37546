"""The reactor runner: what a reactor sees, and when its position is saved."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa
from eventsourcing.domain import Aggregate, DomainEvent

from aksio.aggregates.courses.course import Course
from aksio.bootstrap import System, build, migrate
from aksio.commands.courses import CreateCourse, UpdateCourse
from aksio.projections.engine.db import reactor_tracking
from aksio.projections.engine.locks import make_locks
from aksio.reactors.runner import EventReactor, ReactorRunner
from aksio.settings import Settings


class CreatedCourses(EventReactor):
    name = "test_created_courses"
    topics = (Course.Created,)

    def __init__(self) -> None:
        self.seen: list[tuple[int, UUID]] = []

    def react(self, event: DomainEvent, position: int) -> None:
        self.seen.append((position, event.originator_id))


@pytest.fixture
def quiet(settings: Settings) -> Iterator[System]:
    migrate(settings)
    system = build(settings, start_threads=False)
    yield system
    system.close()


@pytest.fixture
def runner(quiet: System, settings: Settings) -> Iterator[ReactorRunner]:
    runner = ReactorRunner(CreatedCourses(), quiet.store, quiet.engine, make_locks(settings))
    yield runner
    runner.locks.close()


def saved_position(system: System) -> int | None:
    query = sa.select(reactor_tracking.c.position).where(
        reactor_tracking.c.name == CreatedCourses.name
    )
    with system.engine.connect() as conn:
        found: Any = conn.execute(query).scalar()
    return found


def test_reacts_only_to_followed_events_and_saves_after_each(
    quiet: System, runner: ReactorRunner
) -> None:
    owner = uuid4()
    course = Course.create(owner, {"name": "Anatomy"})
    course.update({"credits": 3})
    quiet.store.save(course)
    other = Course.create(owner, {"name": "Botany"})
    quiet.store.save(other)
    other.update({"credits": 4})
    quiet.store.save(other)

    assert runner.run_once() == 4
    reactor = runner.reactor
    assert isinstance(reactor, CreatedCourses)
    assert reactor.seen == [(1, course.id), (3, other.id)]
    # The last followed event's position is saved; moving past the skipped update at 4 is
    # saved later (at most once a second), so a restart reads it again and skips it again.
    assert saved_position(quiet) == 3
    assert runner.drain() == 0
    assert saved_position(quiet) == quiet.store.head() == 4


def test_a_restart_resumes_after_the_saved_position(
    quiet: System, runner: ReactorRunner, settings: Settings
) -> None:
    owner = uuid4()
    quiet.store.save(Course.create(owner, {"name": "Anatomy"}))
    runner.drain()
    runner.locks.close()
    later = Course.create(owner, {"name": "Botany"})
    quiet.store.save(later)
    again = ReactorRunner(CreatedCourses(), quiet.store, quiet.engine, make_locks(settings))
    try:
        again.drain()
        reactor = again.reactor
        assert isinstance(reactor, CreatedCourses)
        assert reactor.seen == [(2, later.id)]
    finally:
        again.locks.close()


def test_follows_subclasses_of_the_named_event_types() -> None:
    class Creations(EventReactor):
        name = "test_creations"
        topics = (Aggregate.Created,)

    reactor = Creations()
    assert reactor.follows("aksio.course.created")
    assert reactor.follows("aksio.flashcard.created")
    assert not reactor.follows("aksio.course.updated")


def test_wakes_only_for_events_it_follows_or_unknown_ones(runner: ReactorRunner) -> None:
    runner.wake(5, frozenset({"aksio.course.updated", "aksio.flashcard.reviewed"}))
    assert not runner._wake.is_set()
    runner.wake(6, frozenset({"aksio.course.updated", "aksio.course.created"}))
    assert runner._wake.is_set()
    runner._wake.clear()
    runner.wake(7)  # topics not known: wake
    assert runner._wake.is_set()


def test_the_bus_tells_listeners_the_topics_it_stored(quiet: System) -> None:
    heard: list[tuple[int, frozenset[str]]] = []
    quiet.bus.listeners.append(lambda position, topics: heard.append((position, topics)))
    owner = uuid4()
    course_id = quiet.bus.dispatch(CreateCourse(owner_id=owner, fields={"name": "A"})).value
    quiet.bus.dispatch(UpdateCourse(owner_id=owner, course_id=course_id, changes={"credits": 2}))
    assert heard == [(1, frozenset({"aksio.course.created"})),
                     (2, frozenset({"aksio.course.updated"}))]  # fmt: skip
