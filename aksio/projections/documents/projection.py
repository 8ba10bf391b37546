"""Documents as the API lists and shows them, their processing state and their content."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from aksio.aggregates.documents.document import Document
from aksio.projections.engine.base import Projection, Row, Rows, handles
from aksio.projections.engine.db import UtcDateTime, metadata
from aksio.projections.engine.paging import Page, paged

documents = sa.Table(
    "rm_documents",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("owner_id", sa.Uuid, nullable=False, index=True),
    sa.Column("course_id", sa.Uuid, nullable=False, index=True),
    sa.Column("section_id", sa.Uuid),
    sa.Column("name", sa.String, nullable=False),
    sa.Column("description", sa.Text),
    sa.Column("source_type", sa.String, nullable=False),
    sa.Column("source_url", sa.Text),
    sa.Column("url_type", sa.String),
    sa.Column("document_type", sa.String, nullable=False),
    sa.Column("content_type", sa.String),
    sa.Column("file_size_bytes", sa.BigInteger, nullable=False, default=0),
    sa.Column("original_filename", sa.String),
    sa.Column("processing_status", sa.String, nullable=False),
    sa.Column("processing_error", sa.Text),
    sa.Column("progress_percentage", sa.Integer, nullable=False, default=0),
    sa.Column("processing_stage", sa.String),
    sa.Column("processing_id", sa.Uuid),
    sa.Column("processing_metadata", sa.JSON, nullable=False),
    sa.Column("chunk_count", sa.Integer, nullable=False, default=0),
    sa.Column("processed_at", UtcDateTime),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

contents = sa.Table(
    "rm_document_contents",
    metadata,
    sa.Column("document_id", sa.Uuid, primary_key=True),
    sa.Column("owner_id", sa.Uuid, nullable=False),
    sa.Column("extracted_text", sa.Text, nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("topics", sa.JSON, nullable=False),
    sa.Column("key_concepts", sa.JSON, nullable=False),
    sa.Column("sections", sa.JSON, nullable=False),
    sa.Column("chunk_count", sa.Integer, nullable=False),
)


def sections_of(text: str, spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Section titles with their text, cut from the extracted text by the event's offsets."""
    return [
        {"title": s["title"], "content": text[s["start"] : s["end"]].strip(), "page": s.get("page")}
        for s in spans
    ]


class DocumentsProjection(Projection):
    name = "documents"
    tables = (documents, contents)

    @handles(Document.Created)
    def created(self, e: Document.Created, rows: Rows) -> None:
        rows.put(
            documents,
            {
                "id": e.originator_id,
                "owner_id": e.owner_id,
                "course_id": e.course_id,
                "section_id": e.section_id,
                "name": e.name,
                "description": e.description,
                "source_type": e.source_type,
                "source_url": e.source_url,
                "url_type": e.url_type,
                "document_type": e.document_type,
                "file_size_bytes": 0,
                "processing_status": "processing",
                "progress_percentage": 0,
                "processing_metadata": {},
                "chunk_count": 0,
                "created_at": e.timestamp,
                "updated_at": e.timestamp,
            },
        )

    @handles(Document.Uploaded)
    def uploaded(self, e: Document.Uploaded, rows: Rows) -> None:
        rows.update(
            documents,
            e.originator_id,
            content_type=e.content_type,
            document_type=e.document_type,
            file_size_bytes=e.file_size_bytes,
            original_filename=e.filename,
            updated_at=e.timestamp,
        )

    @handles(Document.Updated)
    def updated(self, e: Document.Updated, rows: Rows) -> None:
        rows.update(documents, e.originator_id, **e.changes, updated_at=e.timestamp)

    @handles(Document.Deleted)
    def deleted(self, e: Document.Deleted, rows: Rows) -> None:
        rows.delete(documents, e.originator_id)
        rows.delete(contents, e.originator_id)

    @handles(Document.ProcessingRequested)
    def requested(self, e: Document.ProcessingRequested, rows: Rows) -> None:
        rows.update(
            documents,
            e.originator_id,
            processing_status="processing",
            processing_error=None,
            progress_percentage=0,
            processing_stage="queued",
            processing_id=e.run_id,
            updated_at=e.timestamp,
        )

    @handles(Document.ProcessingStarted)
    def started(self, e: Document.ProcessingStarted, rows: Rows) -> None:
        rows.update(documents, e.originator_id, processing_stage="started", updated_at=e.timestamp)

    @handles(Document.ProcessingProgressed)
    def progressed(self, e: Document.ProcessingProgressed, rows: Rows) -> None:
        rows.update(
            documents,
            e.originator_id,
            progress_percentage=e.progress_percentage,
            processing_stage=e.stage,
            updated_at=e.timestamp,
        )

    @handles(Document.ProcessingCompleted)
    def completed(self, e: Document.ProcessingCompleted, rows: Rows) -> None:
        document = rows.update(
            documents,
            e.originator_id,
            processing_status="completed",
            processing_error=None,
            progress_percentage=100,
            processing_stage="completed",
            processing_metadata=dict(e.metadata),
            chunk_count=len(e.chunks),
            processed_at=e.timestamp,
            updated_at=e.timestamp,
        )
        if document is None:
            return
        rows.put(
            contents,
            {
                "document_id": e.originator_id,
                "owner_id": document["owner_id"],
                "extracted_text": e.extracted_text,
                "summary": e.summary,
                "topics": list(e.topics),
                "key_concepts": list(e.key_concepts),
                "sections": sections_of(e.extracted_text, e.sections),
                "chunk_count": len(e.chunks),
            },
        )

    @handles(Document.ProcessingFailed)
    def failed(self, e: Document.ProcessingFailed, rows: Rows) -> None:
        rows.update(
            documents,
            e.originator_id,
            processing_status="failed",
            processing_error=e.error,
            processing_stage="failed",
            processed_at=e.timestamp,
            updated_at=e.timestamp,
        )


# -- queries -------------------------------------------------------------------------
def list_documents(
    conn: Connection,
    owner_id: UUID,
    course_id: UUID,
    page: int,
    page_size: int,
    filters: dict[str, Any] | None = None,
) -> Page:
    query = sa.select(documents).where(
        documents.c.owner_id == owner_id, documents.c.course_id == course_id
    )
    for column, value in (filters or {}).items():
        if value is not None:
            query = query.where(documents.c[column] == value)
    return paged(conn, query.order_by(documents.c.created_at, documents.c.id), page, page_size)


def get_document(
    conn: Connection, owner_id: UUID, document_id: UUID, course_id: UUID | None = None
) -> Row | None:
    """The user's document (in `course_id` when given), or None."""
    query = sa.select(documents).where(
        documents.c.id == document_id, documents.c.owner_id == owner_id
    )
    if course_id is not None:
        query = query.where(documents.c.course_id == course_id)
    found = conn.execute(query).mappings().first()
    return dict(found) if found else None


def get_content(conn: Connection, owner_id: UUID, document_id: UUID) -> Row | None:
    found = (
        conn.execute(
            sa.select(contents).where(
                contents.c.document_id == document_id, contents.c.owner_id == owner_id
            )
        )
        .mappings()
        .first()
    )
    return dict(found) if found else None


def document_usage(conn: Connection, owner_id: UUID) -> tuple[int, int]:
    """(documents, bytes stored) of the user's documents that are not deleted."""
    count, size = conn.execute(
        sa.select(
            sa.func.count(), sa.func.coalesce(sa.func.sum(documents.c.file_size_bytes), 0)
        ).where(documents.c.owner_id == owner_id)
    ).one()
    return int(count), int(size)
