"""A learning goal of a study plan: what to learn, how long it should take, how far it is.

Lifecycle: `Created` at 0 % (`not_started`); `Updated` changes its fields;
`ProgressUpdated` records a new percentage (from `update_progress/` or from a
completed study session); reaching 100 % or `complete/` records `Completed`,
after which progress can no longer change; `Deleted` ends it. Prerequisites
are edges of the plan's goal graph and live on the `StudyPlan`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from aksio.aggregates import values as v
from aksio.core.errors import InvalidState, ValidationFailed

GOAL_FIELDS = (
    "title",
    "description",
    "target_date",
    "estimated_hours",
    "priority",
    "key_concepts",
)
GOAL_RULES = {
    "title": v.text(required=True, max_length=200),
    "description": v.text(nullable=True),
    "target_date": v.day(),
    "estimated_hours": v.number(),
    "priority": v.integer(),
    "key_concepts": v.texts(),
}
GOAL_DEFAULTS: dict[str, Any] = {"estimated_hours": 1.0, "priority": 3, "key_concepts": []}


class Goal(Aggregate):
    TOPIC = "aksio.goal"

    class Created(Aggregate.Created):
        TOPIC = "aksio.goal.created"
        owner_id: UUID
        plan_id: UUID
        fields: dict[str, Any]
        at: datetime

    class Updated(Aggregate.Event):
        TOPIC = "aksio.goal.updated"
        changes: dict[str, Any]
        at: datetime

    class ProgressUpdated(Aggregate.Event):
        TOPIC = "aksio.goal.progress_updated"
        progress_percentage: float
        previous_percentage: float
        notes: str | None
        session_id: UUID | None
        at: datetime

    class Completed(Aggregate.Event):
        TOPIC = "aksio.goal.completed"
        at: datetime

    class Deleted(Aggregate.Event):
        TOPIC = "aksio.goal.deleted"
        at: datetime

    @event(Created)
    def __init__(self, owner_id: UUID, plan_id: UUID, fields: dict[str, Any], at: datetime) -> None:
        self.owner_id = owner_id
        self.plan_id = plan_id
        self.fields = dict(fields)
        self.progress = 0.0
        self.completed = False
        self.deleted = False

    @classmethod
    def create(cls, owner_id: UUID, plan_id: UUID, fields: dict[str, Any], at: datetime) -> Goal:
        decided = {**GOAL_DEFAULTS, **fields}
        v.check(decided, GOAL_RULES, required=("title",))
        return cls(owner_id=owner_id, plan_id=plan_id, fields=decided, at=at)

    def update(self, changes: dict[str, Any], at: datetime) -> None:
        v.check(changes, GOAL_RULES)
        changed = {k: v for k, v in changes.items() if self.fields.get(k) != v}
        if changed:
            self._updated(changes=changed, at=at)

    def update_progress(
        self,
        percentage: float,
        at: datetime,
        notes: str | None = None,
        session_id: UUID | None = None,
    ) -> None:
        if self.completed:
            raise InvalidState("This goal is completed; its progress can no longer change.")
        if not 0 <= percentage <= 100:
            raise ValidationFailed.field("progress_percentage", "Must be between 0 and 100.")
        self._progress_updated(
            progress_percentage=float(percentage),
            previous_percentage=self.progress,
            notes=notes,
            session_id=session_id,
            at=at,
        )
        if percentage == 100:
            self._completed(at=at)

    def complete(self, at: datetime) -> None:
        """Marks the goal done at 100 %; completing a completed goal changes nothing."""
        if not self.completed:
            self._completed(at=at)

    def delete(self, at: datetime) -> None:
        self._deleted(at=at)

    @event(Updated)
    def _updated(self, changes: dict[str, Any], at: datetime) -> None:
        self.fields.update(changes)

    @event(ProgressUpdated)
    def _progress_updated(
        self,
        progress_percentage: float,
        previous_percentage: float,
        notes: str | None,
        session_id: UUID | None,
        at: datetime,
    ) -> None:
        self.progress = progress_percentage

    @event(Completed)
    def _completed(self, at: datetime) -> None:
        self.progress = 100.0
        self.completed = True

    @event(Deleted)
    def _deleted(self, at: datetime) -> None:
        self.deleted = True
