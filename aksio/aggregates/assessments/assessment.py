"""An assessment of a course: a title and what AI generation made for it.

Lifecycle: created `pending` with `generated_content` empty; `Updated` changes
title or description; `ContentGenerated` stores what generation made (cards,
quiz) and makes it `completed` (generating again replaces the content);
`Deleted` removes it for good: a deleted assessment is not found.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from aksio.aggregates import values as v
from aksio.core.errors import NotFound

ASSESSMENT_FIELDS = ("title", "description")
ASSESSMENT_RULES = {
    "title": v.text(required=True, max_length=200),
    "description": v.text(nullable=True),
}


class Assessment(Aggregate):
    TOPIC = "aksio.assessment"

    class Created(Aggregate.Created):
        TOPIC = "aksio.assessment.created"
        owner_id: UUID
        course_id: UUID
        fields: dict[str, Any]

    class Updated(Aggregate.Event):
        TOPIC = "aksio.assessment.updated"
        changes: dict[str, Any]

    class ContentGenerated(Aggregate.Event):
        TOPIC = "aksio.assessment.content_generated"
        content: dict[str, Any]

    class Deleted(Aggregate.Event):
        TOPIC = "aksio.assessment.deleted"

    @event(Created)
    def __init__(self, owner_id: UUID, course_id: UUID, fields: dict[str, Any]) -> None:
        self.owner_id = owner_id
        self.course_id = course_id
        self.fields = dict(fields)
        self.status = "pending"
        self.generated_content: dict[str, Any] | None = None
        self.deleted = False

    @classmethod
    def create(cls, owner_id: UUID, course_id: UUID, fields: dict[str, Any]) -> Assessment:
        v.check(fields, ASSESSMENT_RULES, required=("title",))
        return cls(
            owner_id=owner_id,
            course_id=course_id,
            fields={k: fields.get(k) for k in ASSESSMENT_FIELDS},
        )

    def update(self, changes: dict[str, Any]) -> None:
        self.require_present()
        # Other keys are ignored here (never stored), as they always were.
        v.check({k: c for k, c in changes.items() if k in ASSESSMENT_RULES}, ASSESSMENT_RULES)
        changed = {
            k: v for k, v in changes.items() if k in ASSESSMENT_FIELDS and self.fields.get(k) != v
        }
        if changed:
            self._updated(changes=changed)

    def record_generated(self, content: dict[str, Any]) -> None:
        """Keeps what generation made for this assessment."""
        self.require_present()
        self._content_generated(content=content)

    def delete(self) -> None:
        self.require_present()
        self._deleted()

    def require_present(self) -> None:
        if self.deleted:
            raise NotFound("Assessment")

    @event(Updated)
    def _updated(self, changes: dict[str, Any]) -> None:
        self.fields.update(changes)

    @event(ContentGenerated)
    def _content_generated(self, content: dict[str, Any]) -> None:
        self.generated_content = dict(content)
        self.status = "completed"

    @event(Deleted)
    def _deleted(self) -> None:
        self.deleted = True
