"""The projection runner: batches, tracking, gaps, standby and read-your-writes."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa

from aksio.aggregates.courses.course import Course
from aksio.bootstrap import System, all_projections, build, migrate
from aksio.commands.courses import (
    AddSection,
    CreateCourse,
    RemoveSection,
    UpdateCourse,
    UpdateSection,
)
from aksio.core.errors import Conflict
from aksio.projections.courses import CoursesProjection, courses, sections
from aksio.projections.engine.db import tracking
from aksio.projections.engine.positions import read_positions
from aksio.settings import Settings


@pytest.fixture
def quiet(settings: Settings) -> Any:
    """A system whose projections only run when the test drains them."""
    migrate(settings)
    system = build(settings, start_threads=False)
    yield system
    system.close()


def course_names(system: System) -> dict[UUID, str]:
    with system.engine.connect() as conn:
        return dict(conn.execute(sa.select(courses.c.id, courses.c.name)).all())  # type: ignore[arg-type]


def test_catches_up_in_batches_tracking_each_batch(quiet: System) -> None:
    owner = uuid4()
    ids = [quiet.bus.dispatch(CreateCourse(owner_id=owner, fields={"name": f"c{n}"})).value
           for n in range(25)]  # fmt: skip
    quiet.runner.batch_size = 10
    assert quiet.runner.run_once() == 10
    assert read_positions(quiet.engine)["courses"][0] == 10
    assert len(course_names(quiet)) == 10
    quiet.runner.drain()
    assert set(course_names(quiet)) == set(ids)
    assert all(pos == quiet.store.head() for pos, _ in read_positions(quiet.engine).values())


def test_batch_failing_on_the_database_leaves_rows_and_position_untouched(quiet: System) -> None:
    owner = uuid4()
    quiet.bus.dispatch(CreateCourse(owner_id=owner, fields={"name": "ok"}))
    quiet.runner.drain()
    position = read_positions(quiet.engine)["courses"][0]
    quiet.bus.dispatch(CreateCourse(owner_id=owner, fields={"name": "second"}))
    projection = next(p for p in quiet.projections if isinstance(p, CoursesProjection))
    original = projection.apply

    def failing(event: Any, rows: Any) -> None:
        original(event, rows)
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    projection.apply = failing  # type: ignore[method-assign]
    with pytest.raises(sa.exc.OperationalError):  # not the event's fault: nothing quarantined
        quiet.runner.run_once()
    assert read_positions(quiet.engine)["courses"][0] == position
    assert sorted(course_names(quiet).values()) == ["ok"]
    projection.apply = original  # type: ignore[method-assign]
    quiet.runner.drain()
    assert sorted(course_names(quiet).values()) == ["ok", "second"]


def test_wait_for_returns_once_projected(system: System) -> None:
    outcome = system.bus.dispatch(CreateCourse(owner_id=uuid4(), fields={"name": "x"}))
    assert system.wait_for(outcome.position)
    assert outcome.value in course_names(system)
    assert not system.runner.wait_for(outcome.position + 1000, timeout=0.05)


def test_bus_retries_concurrent_writers_to_one_aggregate(system: System) -> None:
    owner = uuid4()
    course_id = system.bus.dispatch(CreateCourse(owner_id=owner, fields={"name": "n"})).value

    def rename(worker: int) -> None:
        for n in range(10):
            changes = {"name": f"w{worker}-{n}"}
            system.bus.dispatch(UpdateCourse(owner_id=owner, course_id=course_id, changes=changes))

    threads = [threading.Thread(target=rename, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    events = list(system.store.events.get(course_id))
    assert [e.originator_version for e in events] == list(range(1, 42))
    system.drain()
    assert course_names(system)[course_id] == events[-1].changes["name"]  # type: ignore[attr-defined]


def test_bus_gives_up_with_conflict_when_retries_run_out(system: System) -> None:
    existing = Course(id=uuid4(), owner_id=uuid4(), fields={"name": "x"}) if False else None
    assert existing is None
    course = Course.create(uuid4(), {"name": "taken"})
    system.store.save(course)

    def clash(_cmd: Any, uow: Any) -> None:
        again = Course.create(course.owner_id, {"name": "again"})
        again._id = course.id  # same id: the insert conflicts every time
        for event in again.pending_events:
            object.__setattr__(event, "originator_id", course.id)
        uow.save(again)

    system.bus.handlers[CreateCourse] = clash
    with pytest.raises(Conflict):
        system.bus.dispatch(CreateCourse(owner_id=uuid4(), fields={"name": "y"}))


def test_notification_gaps_are_skipped(quiet: System) -> None:
    owner = uuid4()
    quiet.bus.dispatch(CreateCourse(owner_id=owner, fields={"name": "before"}))
    taken = Course.create(owner, {"name": "dup"})
    quiet.store.save(taken)
    clash = Course.create(owner, {"name": "clash"})
    for event in clash.pending_events:
        object.__setattr__(event, "originator_id", taken.id)
    with pytest.raises(Exception):  # noqa: B017 - the store's IntegrityError
        quiet.store.save(clash)
    quiet.bus.dispatch(CreateCourse(owner_id=owner, fields={"name": "after"}))
    quiet.runner.drain()
    assert sorted(course_names(quiet).values()) == ["after", "before", "dup"]


def test_second_runner_is_standby_until_the_owner_stops(tmp_path: Path, settings: Settings) -> None:
    migrate(settings)
    first = build(settings, start_threads=False)
    second = build(settings, start_threads=False)
    try:
        assert len(first.runner.owned) == len(all_projections())
        assert second.runner.owned == []
        first.runner.locks.release_all()
        second.runner.claim()
        assert len(second.runner.owned) == len(all_projections())
    finally:
        second.close()
        first.close()


def test_version_bump_rebuilds_on_claim(quiet: System, settings: Settings) -> None:
    quiet.bus.dispatch(CreateCourse(owner_id=uuid4(), fields={"name": "kept"}))
    quiet.runner.drain()
    with quiet.engine.begin() as conn:
        conn.execute(tracking.update().where(tracking.c.name == "courses").values(version=0))
        conn.execute(courses.delete())
    quiet.runner.locks.release_all()
    quiet.runner.owned.clear()
    quiet.runner.claim()
    quiet.runner.drain()
    assert sorted(course_names(quiet).values()) == ["kept"]


def course_history(system: System, courses_made: int = 6) -> None:
    """Courses whose sections are added, changed and removed in interleaved commands."""
    owner = uuid4()
    ids = [system.bus.dispatch(CreateCourse(owner_id=owner, fields={"name": f"c{n}"})).value
           for n in range(courses_made)]  # fmt: skip
    sections: list[tuple[UUID, UUID]] = []
    for order in range(3):
        for course_id in ids:
            fields = {"title": f"s{order}", "order": order}
            cmd = AddSection(owner_id=owner, course_id=course_id, fields=fields)
            sections.append((course_id, system.bus.dispatch(cmd).value))
    for n, (course_id, section_id) in enumerate(sections):
        if n % 3 == 0:
            changes = {"title": f"renamed {n}"}
            system.bus.dispatch(
                UpdateSection(
                    owner_id=owner, course_id=course_id, section_id=section_id, changes=changes
                )
            )
        elif n % 4 == 1:
            system.bus.dispatch(
                RemoveSection(owner_id=owner, course_id=course_id, section_id=section_id)
            )
    for n, course_id in enumerate(ids):
        system.bus.dispatch(
            UpdateCourse(owner_id=owner, course_id=course_id, changes={"credits": n})
        )


def snapshot(system: System) -> list[list[dict[str, Any]]]:
    with system.engine.connect() as conn:
        return [
            [dict(row) for row in conn.execute(sa.select(t).order_by(t.c.id)).mappings()]
            for t in (courses, sections)
        ]


@pytest.mark.parametrize("max_cached", [300_000, 10])
def test_rebuild_in_small_batches_then_live_changes_give_the_same_rows(
    quiet: System, max_cached: int
) -> None:
    course_history(quiet)
    quiet.runner.drain()
    expected = snapshot(quiet)
    quiet.runner.batch_size = quiet.runner.REBUILD_BATCH = 7
    quiet.runner.rows.COPY_FROM = 1  # rows new to the emptied tables are copied on PostgreSQL
    quiet.runner.rows.MAX_CACHED = max_cached
    quiet.runner.rebuild(quiet.projections)
    assert snapshot(quiet) == expected
    course_history(quiet, courses_made=2)  # changes rows written by the rebuild, live
    with quiet.engine.connect() as conn:
        owner, course_id, section_id = conn.execute(
            sa.select(sections.c.owner_id, sections.c.course_id, sections.c.id).limit(1)
        ).one()
    quiet.bus.dispatch(RemoveSection(owner_id=owner, course_id=course_id, section_id=section_id))
    quiet.runner.drain()
    live = snapshot(quiet)
    quiet.runner.rebuild(quiet.projections)
    assert snapshot(quiet) == live
    assert len(live[0]) == 8


@pytest.mark.parametrize("failing", ["projecting", "writing"])
def test_a_failed_rebuild_keeps_whole_batches_and_resumes(quiet: System, failing: str) -> None:
    course_history(quiet)
    quiet.runner.drain()
    expected = snapshot(quiet)
    runner = quiet.runner
    runner.batch_size = runner.REBUILD_BATCH = 5
    calls = 0

    def fail_on_the_fourth(original: Any) -> Any:
        def call(*args: Any) -> Any:
            nonlocal calls
            calls += 1
            if calls == 4:  # the database went away: not an event's fault, so not isolated
                raise sa.exc.OperationalError(failing, {}, Exception("connection lost"))
            return original(*args)

        return call

    projection = next(p for p in quiet.projections if isinstance(p, CoursesProjection))
    if failing == "projecting":
        projection.apply = fail_on_the_fourth(projection.apply)  # type: ignore[method-assign]
    else:
        runner.rows.write = fail_on_the_fourth(runner.rows.write)  # type: ignore[method-assign]
    with pytest.raises(sa.exc.OperationalError):
        runner.rebuild(quiet.projections)
    position = read_positions(quiet.engine)["courses"][0]
    assert position < quiet.store.head()
    assert runner.positions["courses"] == position
    projection.__dict__.pop("apply", None)
    runner.rows.__dict__.pop("write", None)
    runner.drain()
    assert snapshot(quiet) == expected


def test_only_the_runner_commits_without_waiting_for_the_disk(system: System) -> None:
    """Read models are rebuilt from the log, so their batches need not wait for the WAL flush;
    the event store and the API's connections keep PostgreSQL's default."""
    if not system.settings.uses_postgres:
        pytest.skip("a PostgreSQL setting")
    show = "SHOW synchronous_commit"
    with system.runner.engine.connect() as conn:
        assert conn.exec_driver_sql(show).scalar() == "off"
    with system.engine.connect() as conn:
        assert conn.exec_driver_sql(show).scalar() == "on"
