"""A tutoring session: learning objectives worked through with the tutor, then an outcome.

Lifecycle: created `planned`; `Updated` changes what is planned; `Started`
makes it `in_progress`; `Completed` makes it `completed` with its duration and
outcome (objectives achieved, concepts mastered, areas for improvement,
ratings). Starting twice or completing before starting is refused.
`Deleted` removes it for good.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from aksio.aggregates import values as v
from aksio.core.errors import InvalidState, NotFound

SESSION_FIELDS = (
    "course_id", "title", "session_type", "learning_objectives",
    "estimated_duration_minutes", "difficulty_level",
)  # fmt: skip
OUTCOME_FIELDS = (
    "objectives_achieved", "concepts_mastered", "areas_for_improvement",
    "user_satisfaction", "learning_effectiveness", "session_notes",
)  # fmt: skip
SESSION_RULES = {
    "course_id": v.identifier(),
    "title": v.text(required=True, max_length=200),
    "session_type": v.text(required=True, max_length=50),
    "learning_objectives": v.texts(),
    "estimated_duration_minutes": v.integer(nullable=True),
    "difficulty_level": v.text(nullable=True, max_length=50),
}
OUTCOME_RULES = {
    "objectives_achieved": v.texts(),
    "concepts_mastered": v.texts(),
    "areas_for_improvement": v.texts(),
    "user_satisfaction": v.integer(nullable=True),
    "learning_effectiveness": v.integer(nullable=True),
    "session_notes": v.text(nullable=True),
}


class TutoringSession(Aggregate):
    TOPIC = "aksio.tutoring_session"

    class Created(Aggregate.Created):
        TOPIC = "aksio.tutoring_session.created"
        owner_id: UUID
        fields: dict[str, Any]
        created_at: datetime

    class Updated(Aggregate.Event):
        TOPIC = "aksio.tutoring_session.updated"
        changes: dict[str, Any]
        updated_at: datetime

    class Started(Aggregate.Event):
        TOPIC = "aksio.tutoring_session.started"
        started_at: datetime

    class Completed(Aggregate.Event):
        TOPIC = "aksio.tutoring_session.completed"
        completed_at: datetime
        duration_minutes: int
        outcome: dict[str, Any]

    class Deleted(Aggregate.Event):
        TOPIC = "aksio.tutoring_session.deleted"
        deleted_at: datetime

    @event(Created)
    def __init__(self, owner_id: UUID, fields: dict[str, Any], created_at: datetime) -> None:
        self.owner_id = owner_id
        self.fields = dict(fields)
        self.status = "planned"
        self.started_at: datetime | None = None
        self.deleted = False

    @classmethod
    def create(cls, owner_id: UUID, fields: dict[str, Any], now: datetime) -> TutoringSession:
        decided = {"session_type": "practice", "learning_objectives": [], **fields}
        v.check(decided, SESSION_RULES, required=("title",))
        return cls(
            owner_id=owner_id, fields={k: decided.get(k) for k in SESSION_FIELDS}, created_at=now
        )

    def require_present(self) -> None:
        if self.deleted:
            raise NotFound("TutoringSession")

    def update(self, changes: dict[str, Any], now: datetime) -> None:
        self.require_present()
        v.check(changes, SESSION_RULES)
        changed = {
            k: v
            for k, v in changes.items()
            if k in SESSION_FIELDS and k != "course_id" and self.fields.get(k) != v
        }
        if changed:
            self._updated(changes=changed, updated_at=now)

    def start(self, now: datetime) -> None:
        self.require_present()
        if self.status != "planned":
            raise InvalidState(f"This session is {self.status.replace('_', ' ')}; it cannot start.")
        self._started(started_at=now)

    def complete(self, outcome: dict[str, Any], now: datetime) -> None:
        self.require_present()
        if self.status != "in_progress" or self.started_at is None:
            raise InvalidState("Only a session in progress can be completed.")
        minutes = max(0, round((now - self.started_at).total_seconds() / 60))
        lists: dict[str, Any] = {
            "objectives_achieved": [],
            "concepts_mastered": [],
            "areas_for_improvement": [],
        }
        decided = {**lists, **{k: outcome.get(k) for k in OUTCOME_FIELDS if k in outcome}}
        v.check(decided, OUTCOME_RULES)
        decided = {k: decided.get(k) for k in OUTCOME_FIELDS}
        self._completed(completed_at=now, duration_minutes=minutes, outcome=decided)

    def delete(self, now: datetime) -> None:
        self.require_present()
        self._deleted(deleted_at=now)

    @event(Updated)
    def _updated(self, changes: dict[str, Any], updated_at: datetime) -> None:
        self.fields.update(changes)

    @event(Started)
    def _started(self, started_at: datetime) -> None:
        self.status = "in_progress"
        self.started_at = started_at

    @event(Completed)
    def _completed(self, completed_at: datetime, duration_minutes: int,
                   outcome: dict[str, Any]) -> None:  # fmt: skip
        self.status = "completed"

    @event(Deleted)
    def _deleted(self, deleted_at: datetime) -> None:
        self.deleted = True
