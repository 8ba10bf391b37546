"""A failing event holds back its own aggregate in its own projection, and nobody else."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa

from aksio.aggregates.courses.course import Course
from aksio.bootstrap import System, build, migrate
from aksio.commands.courses import AddSection, CreateCourse, UpdateCourse
from aksio.projections.courses import CoursesProjection, courses
from aksio.projections.engine.positions import read_positions
from aksio.projections.engine.quarantine import held_back, request_retry
from aksio.settings import Settings


@pytest.fixture
def quiet(settings: Settings) -> Iterator[System]:
    migrate(settings)
    system = build(settings, start_threads=False)
    yield system
    system.close()


def names(system: System) -> dict[UUID, str]:
    with system.engine.connect() as conn:
        return {r.id: r.name for r in conn.execute(sa.select(courses.c.id, courses.c.name))}


def poison(system: System, course_id: UUID, changes: dict[str, Any]) -> None:
    """Stores an event the read model cannot take, past the aggregate's checks (as an
    older release or a bug might have stored it)."""
    course = system.store.repository.get(course_id)
    assert isinstance(course, Course)
    course._updated(changes=changes)
    system.store.save(course)


def test_a_row_the_database_refuses_quarantines_only_its_aggregate(quiet: System) -> None:
    mine, other = uuid4(), uuid4()
    bad = quiet.bus.dispatch(CreateCourse(owner_id=mine, fields={"name": "mine"})).value
    good = quiet.bus.dispatch(CreateCourse(owner_id=other, fields={"name": "theirs"})).value
    quiet.runner.drain()
    poison(quiet, bad, {"name": None})  # NOT NULL: fails when the batch's rows are written
    quiet.bus.dispatch(UpdateCourse(owner_id=other, course_id=good, changes={"name": "theirs 2"}))
    quiet.runner.drain()
    quiet.bus.dispatch(UpdateCourse(owner_id=mine, course_id=bad, changes={"name": "mine 2"}))
    late = quiet.bus.dispatch(CreateCourse(owner_id=other, fields={"name": "later"})).value
    quiet.runner.drain()

    head = quiet.store.head()
    assert all(position == head for position, _ in read_positions(quiet.engine).values())
    assert names(quiet) == {bad: "mine", good: "theirs 2", late: "later"}  # bad waits
    (held,) = held_back(quiet.engine)
    assert (held.name, held.originator_id) == ("courses", bad)
    assert "IntegrityError" in held.error and held.topic == "aksio.course.updated"
    assert quiet.runner.held_ids() == {bad}
    assert [p["aggregate_id"] for p in quiet.problems()] == [str(bad)]


def test_a_projection_bug_holds_back_later_events_until_a_retry(quiet: System) -> None:
    owner = uuid4()
    bad = quiet.bus.dispatch(CreateCourse(owner_id=owner, fields={"name": "a"})).value
    fine = quiet.bus.dispatch(CreateCourse(owner_id=owner, fields={"name": "b"})).value
    quiet.runner.drain()
    projection = next(p for p in quiet.projections if isinstance(p, CoursesProjection))
    original = projection.section_added

    def buggy(event: Any, rows: Any) -> None:
        if event.originator_id == bad:
            raise KeyError("a bug in the projection")
        original(event, rows)

    projection.section_added = buggy  # type: ignore[method-assign]
    quiet.bus.dispatch(AddSection(owner_id=owner, course_id=bad, fields={"title": "s1"}))
    quiet.bus.dispatch(AddSection(owner_id=owner, course_id=fine, fields={"title": "s1"}))
    quiet.bus.dispatch(UpdateCourse(owner_id=owner, course_id=bad, changes={"name": "a2"}))
    quiet.runner.drain()
    assert names(quiet) == {bad: "a", fine: "b"}  # the rename waits behind the failed event
    other_projections = {h.name for h in held_back(quiet.engine)}
    assert other_projections == {"courses"}  # the learning projection took the same events

    assert quiet.runner.retry_quarantined() == (0, 1)  # still failing: kept, error recorded
    assert held_back(quiet.engine)[0].attempts == 2

    projection.section_added = original  # type: ignore[method-assign]  # the fix
    request_retry(quiet.engine)
    quiet.runner._check()
    assert held_back(quiet.engine) == []
    assert names(quiet) == {bad: "a2", fine: "b"}
    with quiet.engine.connect() as conn:
        counts = dict(conn.execute(sa.select(courses.c.id, courses.c.section_count)).all())
    assert counts == {bad: 1, fine: 1}
    assert quiet.runner.held_ids() == frozenset()


def test_a_rebuild_replays_everything_and_quarantines_again(quiet: System) -> None:
    owner = uuid4()
    bad = quiet.bus.dispatch(CreateCourse(owner_id=owner, fields={"name": "a"})).value
    quiet.runner.drain()
    poison(quiet, bad, {"name": None})
    quiet.runner.drain()
    assert len(held_back(quiet.engine)) == 1
    quiet.runner.rebuild(quiet.projections)
    (held,) = held_back(quiet.engine)
    assert held.originator_id == bad and names(quiet) == {bad: "a"}
