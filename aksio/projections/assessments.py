"""Assessments and what generation made for them, as the API lists and shows them."""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from aksio.aggregates.assessments.assessment import ASSESSMENT_FIELDS, Assessment
from aksio.projections.engine.base import Projection, Row, Rows, handles
from aksio.projections.engine.db import UtcDateTime, metadata
from aksio.projections.engine.paging import Page, paged

assessments = sa.Table(
    "rm_assessments",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("owner_id", sa.Uuid, nullable=False, index=True),
    sa.Column("course_id", sa.Uuid, nullable=False, index=True),
    sa.Column("title", sa.String, nullable=False),
    sa.Column("description", sa.Text),
    sa.Column("status", sa.String, nullable=False),
    sa.Column("generated_content", sa.JSON),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)


class AssessmentsProjection(Projection):
    name = "assessments"
    tables = (assessments,)

    @handles(Assessment.Created)
    def created(self, e: Assessment.Created, rows: Rows) -> None:
        rows.put(
            assessments,
            {
                **{k: e.fields.get(k) for k in ASSESSMENT_FIELDS},
                "id": e.originator_id,
                "owner_id": e.owner_id,
                "course_id": e.course_id,
                "status": "pending",
                "generated_content": None,
                "created_at": e.timestamp,
                "updated_at": e.timestamp,
            },
        )

    @handles(Assessment.Updated)
    def updated(self, e: Assessment.Updated, rows: Rows) -> None:
        changes = {k: v for k, v in e.changes.items() if k in ASSESSMENT_FIELDS}
        rows.update(assessments, e.originator_id, **changes, updated_at=e.timestamp)

    @handles(Assessment.ContentGenerated)
    def content_generated(self, e: Assessment.ContentGenerated, rows: Rows) -> None:
        rows.update(
            assessments,
            e.originator_id,
            generated_content=e.content,
            status="completed",
            updated_at=e.timestamp,
        )

    @handles(Assessment.Deleted)
    def deleted(self, e: Assessment.Deleted, rows: Rows) -> None:
        rows.delete(assessments, e.originator_id)


# -- queries -------------------------------------------------------------------------
def list_assessments(
    conn: Connection, owner_id: UUID, page: int, page_size: int, course_id: UUID | None = None
) -> Page:
    query = sa.select(assessments).where(assessments.c.owner_id == owner_id)
    if course_id is not None:
        query = query.where(assessments.c.course_id == course_id)
    order = (assessments.c.created_at, assessments.c.id)
    return paged(conn, query.order_by(*order), page, page_size)


def get_assessment(conn: Connection, owner_id: UUID, assessment_id: UUID) -> Row | None:
    query = sa.select(assessments).where(
        assessments.c.id == assessment_id, assessments.c.owner_id == owner_id
    )
    found = conn.execute(query).mappings().first()
    return dict(found) if found else None


def generated_quiz(conn: Connection, owner_id: UUID, assessment_id: UUID) -> UUID | None:
    """The quiz that generation made for the assessment, if any."""
    row = get_assessment(conn, owner_id, assessment_id)
    return quiz_of(row) if row else None


def quiz_of(row: Row) -> UUID | None:
    content = row.get("generated_content") or {}
    quiz_id = (content.get("quiz") or {}).get("quiz_id")
    return UUID(quiz_id) if quiz_id else None
