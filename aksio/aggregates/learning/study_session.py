"""A study session: time a learner spent studying, optionally toward a study plan.

Lifecycle: `Created` when started (`in_progress`, `started_at` = now);
`Updated` changes its descriptive fields; `Completed` ends it once, with the
duration decided from the start and end times, the rating and notes, and the
goals worked on and progress updates it applied; `Deleted` removes it from
every statistic. The hours of a completed session are credited evenly to the
goals it worked on.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, get_args
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from aksio.aggregates import values as v
from aksio.core.errors import InvalidState

SessionType = Literal[
    "focused_study",
    "review",
    "practice",
    "reading",
    "lecture",
    "flashcards",
    "quiz",
    "group_study",
    "exam_prep",
    "other",
]
SESSION_TYPES: tuple[SessionType, ...] = get_args(SessionType)
SESSION_FIELDS = ("session_type", "planned_duration_minutes", "focus_areas", "learning_objectives")
EDITABLE_FIELDS = (*SESSION_FIELDS, "notes", "productivity_rating", "topics_covered")
SESSION_RULES = {
    "session_type": v.choice(*SESSION_TYPES),
    "planned_duration_minutes": v.integer(nullable=True),
    "focus_areas": v.texts(),
    "learning_objectives": v.texts(),
    "notes": v.text(nullable=True),
    "productivity_rating": v.integer(nullable=True),
    "topics_covered": v.texts(),
}
SESSION_DEFAULTS: dict[str, Any] = {
    "session_type": "focused_study", "focus_areas": [], "learning_objectives": [],
}  # fmt: skip


class StudySession(Aggregate):
    TOPIC = "aksio.study_session"

    class Created(Aggregate.Created):
        TOPIC = "aksio.study_session.created"
        owner_id: UUID
        plan_id: UUID | None
        fields: dict[str, Any]
        started_at: datetime

    class Updated(Aggregate.Event):
        TOPIC = "aksio.study_session.updated"
        changes: dict[str, Any]
        at: datetime

    class Completed(Aggregate.Event):
        TOPIC = "aksio.study_session.completed"
        completed_at: datetime
        duration_seconds: int
        productivity_rating: int | None
        notes: str | None
        topics_covered: list[str]
        goals_worked_on: list[UUID]
        progress_updates: list[dict[str, Any]]

    class Deleted(Aggregate.Event):
        TOPIC = "aksio.study_session.deleted"
        at: datetime

    @event(Created)
    def __init__(
        self, owner_id: UUID, plan_id: UUID | None, fields: dict[str, Any], started_at: datetime
    ) -> None:
        self.owner_id = owner_id
        self.plan_id = plan_id
        self.fields = dict(fields)
        self.started_at = started_at
        self.status = "in_progress"
        self.deleted = False

    @classmethod
    def start(
        cls, owner_id: UUID, plan_id: UUID | None, fields: dict[str, Any], at: datetime
    ) -> StudySession:
        decided = {**SESSION_DEFAULTS, **fields}
        v.check(decided, {k: SESSION_RULES[k] for k in SESSION_FIELDS})
        return cls(owner_id=owner_id, plan_id=plan_id, fields=decided, started_at=at)

    def update(self, changes: dict[str, Any], at: datetime) -> None:
        v.check(changes, SESSION_RULES)
        changed = {k: v for k, v in changes.items() if self.fields.get(k) != v}
        if changed:
            self._updated(changes=changed, at=at)

    def complete(
        self,
        at: datetime,
        *,
        rating: int | None,
        notes: str | None,
        topics: list[str],
        goals: list[UUID],
        progress_updates: list[dict[str, Any]],
    ) -> None:
        if self.status != "in_progress":
            raise InvalidState("This study session is already completed.")
        outcome = {"productivity_rating": rating, "notes": notes, "topics_covered": topics}
        v.check(outcome, SESSION_RULES)
        seconds = max(0, int((at - self.started_at).total_seconds()))
        notes = notes if notes is not None else self.fields.get("notes")
        rating = rating if rating is not None else self.fields.get("productivity_rating")
        self._completed(
            completed_at=at,
            duration_seconds=seconds,
            productivity_rating=rating,
            notes=notes,
            topics_covered=list(topics),
            goals_worked_on=list(dict.fromkeys(goals)),
            progress_updates=list(progress_updates),
        )

    def delete(self, at: datetime) -> None:
        self._deleted(at=at)

    @event(Updated)
    def _updated(self, changes: dict[str, Any], at: datetime) -> None:
        self.fields.update(changes)

    @event(Completed)
    def _completed(
        self,
        completed_at: datetime,
        duration_seconds: int,
        productivity_rating: int | None,
        notes: str | None,
        topics_covered: list[str],
        goals_worked_on: list[UUID],
        progress_updates: list[dict[str, Any]],
    ) -> None:
        self.status = "completed"
        self.fields.update(notes=notes, productivity_rating=productivity_rating)

    @event(Deleted)
    def _deleted(self, at: datetime) -> None:
        self.deleted = True
