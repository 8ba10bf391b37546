"""Read-side checks that what a request names is the caller's own.

Handlers check the aggregates a command refers to; these are for requests answered from a
read model without a command, or that must refuse before costly work (an upload, an LLM
call). Another user's resource is refused exactly like a missing one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from sqlalchemy.engine import Connection

from aksio.core.errors import NotFound
from aksio.projections.chat import queries as chat_queries
from aksio.projections.courses import get_course
from aksio.projections.documents.projection import get_document


def own_course(reads: Connection, user: UUID, course_id: UUID | None) -> None:
    """`course_id` (if not None) names a course of `user`."""
    if course_id is not None and get_course(reads, user, course_id) is None:
        raise NotFound("Course")


def own_documents(reads: Connection, user: UUID, document_ids: Iterable[UUID]) -> None:
    """Every id names a document of `user`."""
    for document_id in document_ids:
        if get_document(reads, user, document_id) is None:
            raise NotFound("Document")


def own_chat(reads: Connection, user: UUID, chat_id: UUID) -> dict[str, Any]:
    """The chat's row, if it is `user`'s."""
    row = chat_queries.get_chat(reads, user, chat_id)
    if row is None:
        raise NotFound("Chat")
    return row
