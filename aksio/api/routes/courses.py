"""Courses and their sections."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Request, Response

from aksio.api.deps import Bus, CurrentUser, Paging, Reads
from aksio.api.schemas.common import ERRORS, PageOut
from aksio.api.schemas.courses import (
    CourseCreate,
    CourseOut,
    CourseUpdate,
    SectionCreate,
    SectionOut,
    SectionUpdate,
)
from aksio.commands.courses import (
    AddSection,
    ArchiveCourse,
    CreateCourse,
    RemoveSection,
    UpdateCourse,
    UpdateSection,
)
from aksio.core.errors import NotFound
from aksio.projections import courses as q

router = APIRouter(prefix="/api/v1/courses", tags=["courses"], responses=ERRORS)


def _course(reads: Reads, user: UUID, course_id: UUID) -> CourseOut:
    row = q.get_course(reads, user, course_id)
    if row is None:
        raise NotFound("Course")
    return CourseOut.model_validate(row)


@router.post("/", status_code=201, response_model=CourseOut)
def create_course(body: CourseCreate, user: CurrentUser, bus: Bus, reads: Reads) -> CourseOut:
    """Create a course."""
    course_id = bus.run(CreateCourse(owner_id=user, fields=body.model_dump()))
    return _course(reads, user, course_id)


@router.get("/", response_model=PageOut[CourseOut])
def list_courses(
    request: Request,
    user: CurrentUser,
    reads: Reads,
    paging: Paging,
    status: Literal["active", "archived"] | None = None,
) -> PageOut[CourseOut]:
    """List your courses, oldest first."""
    page = q.list_courses(reads, user, paging.page, paging.page_size, status)
    result: PageOut[CourseOut] = PageOut[CourseOut].of(request, page, CourseOut)
    return result


@router.get("/{course_id}/", response_model=CourseOut)
def get_course(course_id: UUID, user: CurrentUser, reads: Reads) -> CourseOut:
    """Show one course."""
    return _course(reads, user, course_id)


@router.patch("/{course_id}/", response_model=CourseOut)
def update_course(
    course_id: UUID, body: CourseUpdate, user: CurrentUser, bus: Bus, reads: Reads
) -> CourseOut:
    """Change a course; `status: archived` archives it, `active` restores it."""
    changes = body.model_dump(exclude_unset=True)
    status = changes.pop("status", None)
    bus.run(UpdateCourse(owner_id=user, course_id=course_id, changes=changes, status=status))
    return _course(reads, user, course_id)


@router.delete("/{course_id}/", status_code=204, response_class=Response)
def archive_course(course_id: UUID, user: CurrentUser, bus: Bus) -> Response:
    """Archive a course (its history stays)."""
    bus.run(ArchiveCourse(owner_id=user, course_id=course_id))
    return Response(status_code=204)


@router.post("/{course_id}/sections/", status_code=201, response_model=SectionOut)
def add_section(
    course_id: UUID, body: SectionCreate, user: CurrentUser, bus: Bus, reads: Reads
) -> SectionOut:
    """Add a section to a course."""
    section_id = bus.run(AddSection(owner_id=user, course_id=course_id, fields=body.model_dump()))
    return _section(reads, user, course_id, section_id)


@router.get("/{course_id}/sections/", response_model=PageOut[SectionOut])
def list_sections(
    request: Request, course_id: UUID, user: CurrentUser, reads: Reads, paging: Paging
) -> PageOut[SectionOut]:
    """List a course's sections in their order."""
    _course(reads, user, course_id)
    page = q.list_sections(reads, course_id, paging.page, paging.page_size)
    result: PageOut[SectionOut] = PageOut[SectionOut].of(request, page, SectionOut)
    return result


def _section(reads: Reads, user: UUID, course_id: UUID, section_id: UUID) -> SectionOut:
    _course(reads, user, course_id)
    row = q.get_section(reads, course_id, section_id)
    if row is None:
        raise NotFound("Section")
    return SectionOut.model_validate(row)


@router.get("/{course_id}/sections/{section_id}/", response_model=SectionOut)
def get_section(course_id: UUID, section_id: UUID, user: CurrentUser, reads: Reads) -> SectionOut:
    """Show one section."""
    return _section(reads, user, course_id, section_id)


@router.patch("/{course_id}/sections/{section_id}/", response_model=SectionOut)
def update_section(
    course_id: UUID,
    section_id: UUID,
    body: SectionUpdate,
    user: CurrentUser,
    bus: Bus,
    reads: Reads,
) -> SectionOut:
    """Change a section."""
    changes = body.model_dump(exclude_unset=True)
    bus.run(
        UpdateSection(owner_id=user, course_id=course_id, section_id=section_id, changes=changes)
    )
    return _section(reads, user, course_id, section_id)


@router.delete("/{course_id}/sections/{section_id}/", status_code=204, response_class=Response)
def remove_section(course_id: UUID, section_id: UUID, user: CurrentUser, bus: Bus) -> Response:
    """Remove a section."""
    bus.run(RemoveSection(owner_id=user, course_id=course_id, section_id=section_id))
    return Response(status_code=204)
