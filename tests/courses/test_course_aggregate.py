"""Course aggregate: given events, when a command, then new events (no database)."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from aksio.aggregates.courses.course import Course
from aksio.core.errors import NotFound, ValidationFailed


def new_course() -> Course:
    course = Course.create(uuid4(), {"name": "Calculus", "start_date": date(2024, 1, 1)})
    course.collect_events()
    return course


def test_create_records_fields_and_starts_active() -> None:
    course = Course.create(uuid4(), {"name": "Calculus"})
    [created] = course.collect_events()
    assert isinstance(created, Course.Created)
    assert created.fields == {"name": "Calculus"}
    assert course.status == "active"


def test_end_before_start_is_refused_without_events() -> None:
    with pytest.raises(ValidationFailed) as raised:
        Course.create(uuid4(), {"name": "x", "start_date": date(2024, 2, 1),
                                "end_date": date(2024, 1, 1)})  # fmt: skip
    assert "end_date" in raised.value.details


def test_update_records_only_changed_fields() -> None:
    course = new_course()
    course.update({"name": "Calculus", "credits": 4})
    [updated] = course.collect_events()
    assert isinstance(updated, Course.Updated)
    assert updated.changes == {"credits": 4}


def test_update_checks_dates_against_current_state() -> None:
    course = new_course()
    with pytest.raises(ValidationFailed):
        course.update({"end_date": date(2023, 12, 31)})
    assert course.collect_events() == []


def test_archive_twice_records_once_and_restore_reactivates() -> None:
    course = new_course()
    course.set_status("archived")
    course.set_status("archived")
    course.set_status("active")
    kinds = [type(e) for e in course.collect_events()]
    assert kinds == [Course.Archived, Course.Restored]
    assert course.status == "active"


def test_sections_lifecycle_and_unknown_section() -> None:
    course = new_course()
    section_id = uuid4()
    course.add_section(section_id, {"title": "Limits"})
    course.update_section(section_id, {"title": "Limits and continuity"})
    assert course.sections[section_id]["title"] == "Limits and continuity"
    course.remove_section(section_id)
    with pytest.raises(NotFound):
        course.remove_section(section_id)
