"""Courses and their sections, as the API lists and shows them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from aksio.aggregates.courses.course import COURSE_FIELDS, Course
from aksio.projections.engine.base import Projection, Row, Rows, handles
from aksio.projections.engine.db import UtcDateTime, metadata
from aksio.projections.engine.paging import Page, paged

courses = sa.Table(
    "rm_courses",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("owner_id", sa.Uuid, nullable=False, index=True),
    sa.Column("name", sa.String, nullable=False),
    sa.Column("description", sa.Text),
    sa.Column("university", sa.String),
    sa.Column("course_code", sa.String),
    sa.Column("semester", sa.String),
    sa.Column("academic_year", sa.String),
    sa.Column("credits", sa.Integer),
    sa.Column("language", sa.String),
    sa.Column("subject_area", sa.String),
    sa.Column("difficulty_level", sa.String),
    sa.Column("color", sa.String),
    sa.Column("icon", sa.String),
    sa.Column("start_date", sa.Date),
    sa.Column("end_date", sa.Date),
    sa.Column("exam_date", sa.Date),
    sa.Column("scheduler", sa.String),
    sa.Column("desired_retention", sa.Float),
    sa.Column("fsrs_parameters", sa.JSON),
    sa.Column("status", sa.String, nullable=False),
    sa.Column("section_count", sa.Integer, nullable=False, default=0),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

sections = sa.Table(
    "rm_course_sections",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("course_id", sa.Uuid, nullable=False, index=True),
    sa.Column("owner_id", sa.Uuid, nullable=False),
    sa.Column("title", sa.String, nullable=False),
    sa.Column("description", sa.Text),
    sa.Column("order", sa.Integer, nullable=False, default=0),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)


class CoursesProjection(Projection):
    name = "courses"
    tables = (courses, sections)
    version = 2  # 2: desired retention and fitted FSRS parameters

    @handles(Course.Created)
    def created(self, e: Course.Created, rows: Rows) -> None:
        fields = {k: e.fields.get(k) for k in COURSE_FIELDS}
        rows.put(
            courses,
            {
                **fields,
                "id": e.originator_id,
                "owner_id": e.owner_id,
                "status": "active",
                "section_count": 0,
                "created_at": e.timestamp,
                "updated_at": e.timestamp,
            },
        )

    @handles(Course.Updated)
    def updated(self, e: Course.Updated, rows: Rows) -> None:
        changes = {k: v for k, v in e.changes.items() if k in COURSE_FIELDS}
        rows.update(courses, e.originator_id, **changes, updated_at=e.timestamp)

    @handles(Course.Archived)
    def archived(self, e: Course.Archived, rows: Rows) -> None:
        rows.update(courses, e.originator_id, status="archived", updated_at=e.timestamp)

    @handles(Course.Restored)
    def restored(self, e: Course.Restored, rows: Rows) -> None:
        rows.update(courses, e.originator_id, status="active", updated_at=e.timestamp)

    @handles(Course.FsrsParametersFitted)
    def fsrs_parameters_fitted(self, e: Course.FsrsParametersFitted, rows: Rows) -> None:
        rows.update(courses, e.originator_id, fsrs_parameters=list(e.parameters))

    @handles(Course.SectionAdded)
    def section_added(self, e: Course.SectionAdded, rows: Rows) -> None:
        course = rows.update(courses, e.originator_id, updated_at=e.timestamp)
        if course is None:
            return
        rows.update(courses, e.originator_id, section_count=course["section_count"] + 1)
        rows.put(
            sections,
            {
                "id": e.section_id,
                "course_id": e.originator_id,
                "owner_id": course["owner_id"],
                "title": e.fields.get("title"),
                "description": e.fields.get("description"),
                "order": e.fields.get("order") or 0,
                "created_at": e.timestamp,
                "updated_at": e.timestamp,
            },
        )

    @handles(Course.SectionUpdated)
    def section_updated(self, e: Course.SectionUpdated, rows: Rows) -> None:
        changes = {k: v for k, v in e.changes.items() if k in ("title", "description", "order")}
        rows.update(sections, e.section_id, **changes, updated_at=e.timestamp)

    @handles(Course.SectionRemoved)
    def section_removed(self, e: Course.SectionRemoved, rows: Rows) -> None:
        rows.delete(sections, e.section_id)
        course = rows.get(courses, e.originator_id)
        if course is not None:
            rows.update(courses, e.originator_id, section_count=course["section_count"] - 1)


# -- queries -------------------------------------------------------------------------
def list_courses(
    conn: Connection, owner_id: UUID, page: int, page_size: int, status: str | None = None
) -> Page:
    query = sa.select(courses).where(courses.c.owner_id == owner_id)
    if status:
        query = query.where(courses.c.status == status)
    return paged(conn, query.order_by(courses.c.created_at, courses.c.id), page, page_size)


def get_course(conn: Connection, owner_id: UUID, course_id: UUID) -> Row | None:
    found = (
        conn.execute(
            sa.select(courses).where(courses.c.id == course_id, courses.c.owner_id == owner_id)
        )
        .mappings()
        .first()
    )
    return dict(found) if found else None


def list_sections(conn: Connection, course_id: UUID, page: int, page_size: int) -> Page:
    query = sa.select(sections).where(sections.c.course_id == course_id)
    order = (sections.c.order, sections.c.created_at, sections.c.id)
    return paged(conn, query.order_by(*order), page, page_size)


def get_section(conn: Connection, course_id: UUID, section_id: UUID) -> Row | None:
    found = (
        conn.execute(
            sa.select(sections).where(
                sections.c.id == section_id, sections.c.course_id == course_id
            )
        )
        .mappings()
        .first()
    )
    return dict(found) if found else None


def course_scheduler(conn: Connection, course_id: UUID) -> Any:
    return conn.execute(sa.select(courses.c.scheduler).where(courses.c.id == course_id)).scalar()


def active_courses_named(conn: Connection, owner_id: UUID, names: Sequence[str]) -> dict[str, UUID]:
    """The owner's active courses of these names (the first made, where names repeat)."""
    query = (
        sa.select(courses.c.name, courses.c.id)
        .where(courses.c.owner_id == owner_id, courses.c.status == "active")
        .where(courses.c.name.in_(list(names)))
        .order_by(courses.c.created_at, courses.c.id)
    )
    found: dict[str, UUID] = {}
    for name, course_id in conn.execute(query):
        found.setdefault(name, course_id)
    return found
