"""Commands of the courses context."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

from aksio.aggregates.courses.course import Course
from aksio.commands.bus import Command, Handler, UnitOfWork


@dataclass(frozen=True, kw_only=True)
class CreateCourse(Command[UUID]):
    owner_id: UUID
    fields: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class UpdateCourse(Command[None]):
    owner_id: UUID
    course_id: UUID
    changes: dict[str, Any]
    status: str | None = None


@dataclass(frozen=True, kw_only=True)
class ArchiveCourse(Command[None]):
    owner_id: UUID
    course_id: UUID


@dataclass(frozen=True, kw_only=True)
class AddSection(Command[UUID]):
    owner_id: UUID
    course_id: UUID
    fields: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class UpdateSection(Command[None]):
    owner_id: UUID
    course_id: UUID
    section_id: UUID
    changes: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class RemoveSection(Command[None]):
    owner_id: UUID
    course_id: UUID
    section_id: UUID


def create_course(cmd: CreateCourse, uow: UnitOfWork) -> UUID:
    course = Course.create(cmd.owner_id, cmd.fields)
    uow.save(course)
    return course.id


def update_course(cmd: UpdateCourse, uow: UnitOfWork) -> None:
    course = uow.load(Course, cmd.course_id, owner_id=cmd.owner_id)
    course.update(cmd.changes)
    if cmd.status is not None:
        course.set_status(cmd.status)
    uow.save(course)


def archive_course(cmd: ArchiveCourse, uow: UnitOfWork) -> None:
    course = uow.load(Course, cmd.course_id, owner_id=cmd.owner_id)
    course.set_status("archived")
    uow.save(course)


def add_section(cmd: AddSection, uow: UnitOfWork) -> UUID:
    course = uow.load(Course, cmd.course_id, owner_id=cmd.owner_id)
    section_id = uuid4()
    course.add_section(section_id, cmd.fields)
    uow.save(course)
    return section_id


def update_section(cmd: UpdateSection, uow: UnitOfWork) -> None:
    course = uow.load(Course, cmd.course_id, owner_id=cmd.owner_id)
    course.update_section(cmd.section_id, cmd.changes)
    uow.save(course)


def remove_section(cmd: RemoveSection, uow: UnitOfWork) -> None:
    course = uow.load(Course, cmd.course_id, owner_id=cmd.owner_id)
    course.remove_section(cmd.section_id)
    uow.save(course)


HANDLERS: dict[type[Any], Handler] = {
    CreateCourse: create_course,
    UpdateCourse: update_course,
    ArchiveCourse: archive_course,
    AddSection: add_section,
    UpdateSection: update_section,
    RemoveSection: remove_section,
}
