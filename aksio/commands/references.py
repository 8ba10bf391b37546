"""Checks that a command's references to other aggregates are the caller's own.

A route may have checked already, but any caller of the bus can name any id: the handler
loads what a command refers to, so another user's course or document is refused as
missing (`NotFound`) and nothing is stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from aksio.aggregates.courses.course import Course
from aksio.aggregates.documents.document import Document
from aksio.commands.bus import UnitOfWork
from aksio.core.errors import NotFound


def own_course(uow: UnitOfWork, owner_id: UUID, course_id: Any) -> None:
    """`course_id` (if not None) names a course of `owner_id`."""
    if course_id is None:
        return
    if not isinstance(course_id, UUID):
        raise NotFound("Course")
    uow.load(Course, course_id, owner_id=owner_id)


def own_documents(uow: UnitOfWork, owner_id: UUID, document_ids: Iterable[Any]) -> None:
    """Every id (a UUID or its string) names a live document of `owner_id`."""
    for raw in document_ids:
        try:
            document_id = raw if isinstance(raw, UUID) else UUID(str(raw))
        except ValueError:
            raise NotFound("Document") from None
        if uow.load(Document, document_id, owner_id=owner_id).deleted:
            raise NotFound("Document")
