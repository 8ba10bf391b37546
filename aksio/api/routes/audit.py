"""The audit trail: the stored events of one of your aggregates, as the event stream has them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from aksio.aggregates.quizzes.questions import hide_answer_key
from aksio.api.deps import CurrentUser, Paging, Reads, SystemDep, page_links
from aksio.api.schemas.common import ERRORS, PageOut
from aksio.core.errors import NotFound
from aksio.core.public_events import history, to_public, version_of
from aksio.projections.assessments import generated_quiz
from aksio.projections.quizzes import answers_hidden

Event = DomainEventProtocol[UUID]
router = APIRouter(prefix="/api/v1/audit", tags=["audit"], responses=ERRORS)


class AuditEventOut(BaseModel):
    """The same JSON as the Kafka message value of the event."""

    id: UUID = Field(description="Stable id of the event (from aggregate id and version).")
    position: int = Field(description="Place of the event in the one ordered event log.")
    type: str = Field(description="Dotted public type, e.g. `quiz.attempt.completed`.")
    aggregate_id: UUID
    aggregate_type: str
    version: int = Field(description="1 for the creating event, then one more per event.")
    timestamp: str = Field(description="When the event was stored, ISO 8601 UTC.")
    data: dict[str, Any] = Field(description="The event's own fields; secrets never appear.")


def _owned_by(event: Event, user: UUID) -> bool:
    return event.originator_id == user or getattr(event, "owner_id", None) == user


@router.get("/events/", response_model=PageOut[AuditEventOut])
def list_events(
    request: Request,
    user: CurrentUser,
    system: SystemDep,
    reads: Reads,
    paging: Paging,
    aggregate_id: UUID = Query(description="One of your resources, or your own user id."),
) -> PageOut[AuditEventOut]:
    """List the stored events of one of your resources, oldest first (paged)."""
    recorder, to_event = system.store.recorder, system.store.mapper.to_domain_event
    first = history(recorder, aggregate_id, after=0, limit=1)
    if not first or not _owned_by(to_event(first[0]), user):
        raise NotFound("Aggregate")
    after = (paging.page - 1) * paging.page_size
    stored = history(recorder, aggregate_id, after=after, limit=paging.page_size)
    items = [to_public(n.id, to_event(n)) for n in stored]
    quiz_id = generated_quiz(reads, user, aggregate_id) or aggregate_id
    if answers_hidden(reads, user, quiz_id):
        # While an attempt runs, the answer key of the quiz (or of the quiz an assessment
        # generated) stays hidden here too.
        items = [{**item, "data": hide_answer_key(item["data"])} for item in items]
    count = version_of(recorder, aggregate_id)
    return PageOut[AuditEventOut](
        count=count,
        results=[AuditEventOut.model_validate(item) for item in items],
        **page_links(request, paging.page, paging.page * paging.page_size < count),
    )
