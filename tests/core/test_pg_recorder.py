"""Large appends on PostgreSQL: split into statements, still one atomic transaction."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.persistence import IntegrityError, OperationalError

from aksio.aggregates.courses.course import Course
from aksio.bootstrap import migrate
from aksio.core.pg_recorder import CHUNK
from aksio.core.store import open_store
from tests.conftest import make_settings
from tests.test_outage import set_outage


def many_courses(count: int) -> list[Course]:
    owner = uuid4()
    return [
        Course.create(owner, {"name": f"c{n}", "description": "x" * 2000}) for n in range(count)
    ]


def test_large_append_is_stored_whole_in_order(tmp_path: Path, pg_url: str) -> None:
    settings = make_settings(tmp_path, pg_url)
    migrate(settings)
    store = open_store(settings)
    try:
        courses = many_courses(CHUNK * 3 + 7)
        recordings = store.save(*courses)
        ids = [r.notification.id for r in recordings]
        assert ids == sorted(ids) and len(set(ids)) == len(courses)
        stored = store.read(after=0, limit=len(courses) + 10)
        assert [n.originator_id for n in stored] == [c.id for c in courses]
    finally:
        store.close()


def test_large_append_with_a_conflict_stores_nothing(tmp_path: Path, pg_url: str) -> None:
    settings = make_settings(tmp_path, pg_url)
    migrate(settings)
    store = open_store(settings)
    try:
        taken = Course.create(uuid4(), {"name": "taken"})
        store.save(taken)
        courses = many_courses(CHUNK * 2 + 5)
        clash = Course.create(uuid4(), {"name": "clash"})
        for event in clash.pending_events:
            object.__setattr__(event, "originator_id", taken.id)
        with pytest.raises(IntegrityError):
            store.save(*courses, clash)
        assert [n.originator_id for n in store.read(after=0, limit=10)] == [taken.id]
    finally:
        store.close()


def test_pages_equal_the_library_query_across_gaps(tmp_path: Path, pg_url: str) -> None:
    settings = make_settings(tmp_path, pg_url)
    migrate(settings)
    store = open_store(settings)
    try:
        first = many_courses(5)
        store.save(*first)
        stale = store.repository.get(first[0].id)
        first[0].update({"credits": 1})
        store.save(first[0])
        stale.update({"credits": 2})
        with pytest.raises(IntegrityError):  # a failed append uses up ids: a gap
            store.save(Course.create(uuid4(), {"name": "x"}), stale)
        first[1].update({"credits": 3})
        store.save(first[1], *many_courses(3))
        recorder = store.recorder
        library = super(type(recorder), recorder).select_notifications
        for start, inclusive in [(0, False), (1, True), (3, False), (4, True), (9, True)]:
            for limit in (1, 4, 100):
                ours = recorder.select_notifications(start, limit, inclusive_of_start=inclusive)
                theirs = library(start, limit, inclusive_of_start=inclusive)
                assert ours == theirs
                assert all(type(n.state) is bytes for n in ours)
        ids = [n.id for n in recorder.select_notifications(0, 100)]
        assert len(ids) == 10 and ids != list(range(1, 11))  # the gap is there
        topics = ["aksio.course.updated"]
        by_topic = recorder.select_notifications(0, 100, topics=topics)
        assert by_topic == library(0, 100, topics=topics) and len(by_topic) == 2
    finally:
        store.close()


def test_a_call_during_an_outage_fails_after_one_pool_wait(tmp_path: Path, pg_url: str) -> None:
    """With the server refusing connections, each attempt waits the pool's timeout for a
    connection: the call gives up after one such wait (it used to make ten), and works again
    once the database is back; a connection dropped under it is replaced at once."""
    settings = make_settings(tmp_path, pg_url, db_pool_timeout_s=0.5)
    migrate(settings)
    store = open_store(settings)
    recorder: Any = store.recorder
    datastore = recorder.datastore
    attempts = 0
    connection = datastore.get_connection

    def counted() -> Any:
        nonlocal attempts
        attempts += 1
        return connection()

    datastore.get_connection = counted
    try:
        store.save(Course.create(uuid4(), {"name": "before"}))
        assert store.head() == 1
        set_outage(pg_url, down=True)
        datastore.pool.check()  # the pool drops the connections the outage cut
        try:
            for call in (store.head, lambda: store.save(Course.create(uuid4(), {"name": "x"}))):
                attempts = 0
                with pytest.raises(OperationalError):
                    call()
                assert attempts == 1
        finally:
            set_outage(pg_url, down=False)
        datastore.pool.check()  # drops the connections the outage closed
        attempts = 0
        assert store.head() == 1
        set_outage(pg_url, down=True)  # kills the pooled connections ...
        set_outage(pg_url, down=False)  # ... and lets new ones in at once
        attempts = 0
        store.save(Course.create(uuid4(), {"name": "after"}))
        assert store.head() == 2 and attempts >= 1
    finally:
        store.close()
