"""A course a learner studies, with its sections.

Lifecycle: created `active`; fields change by `Updated`; `Archived` (DELETE or
PATCH of status) and `Restored` (PATCH back to active). Sections are added,
changed and removed while the course exists; an archived course still keeps them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from aksio.aggregates import values as v
from aksio.aggregates.flashcards import fsrs_adapter
from aksio.aggregates.flashcards.schedule import SCHEDULERS
from aksio.core.errors import NotFound, ValidationFailed

_NOTE = v.text(nullable=True, max_length=200)
COURSE_RULES = {
    "name": v.text(required=True, max_length=200),
    "description": v.text(nullable=True),
    "university": _NOTE,
    "course_code": _NOTE,
    "semester": _NOTE,
    "academic_year": _NOTE,
    "credits": v.integer(nullable=True),
    "language": _NOTE,
    "subject_area": _NOTE,
    "difficulty_level": v.choice("beginner", "intermediate", "advanced", nullable=True),
    "color": _NOTE,
    "icon": _NOTE,
    "start_date": v.day(),
    "end_date": v.day(),
    "exam_date": v.day(),
    "scheduler": v.choice(*SCHEDULERS, nullable=True),
    "desired_retention": v.number(nullable=True),
}
COURSE_FIELDS = tuple(COURSE_RULES)
SECTION_RULES = {
    "title": v.text(required=True, max_length=200),
    "description": v.text(nullable=True),
    "order": v.integer(),
}


def check_dates(fields: dict[str, Any]) -> None:
    start, end = fields.get("start_date"), fields.get("end_date")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        raise ValidationFailed.field("end_date", "End date must not be before start date.")


class Course(Aggregate):
    TOPIC = "aksio.course"

    class Created(Aggregate.Created):
        TOPIC = "aksio.course.created"
        owner_id: UUID
        fields: dict[str, Any]

    class Updated(Aggregate.Event):
        TOPIC = "aksio.course.updated"
        changes: dict[str, Any]

    class Archived(Aggregate.Event):
        TOPIC = "aksio.course.archived"

    class Restored(Aggregate.Event):
        TOPIC = "aksio.course.restored"

    class SectionAdded(Aggregate.Event):
        TOPIC = "aksio.course.section_added"
        section_id: UUID
        fields: dict[str, Any]

    class SectionUpdated(Aggregate.Event):
        TOPIC = "aksio.course.section_updated"
        section_id: UUID
        changes: dict[str, Any]

    class SectionRemoved(Aggregate.Event):
        TOPIC = "aksio.course.section_removed"
        section_id: UUID

    class FsrsParametersFitted(Aggregate.Event):
        TOPIC = "aksio.course.fsrs_parameters_fitted"
        parameters: list[float]
        reviews_used: int
        fitted_at: datetime

    @event(Created)
    def __init__(self, owner_id: UUID, fields: dict[str, Any]) -> None:
        self.owner_id = owner_id
        self.fields = dict(fields)
        self.status = "active"
        self.sections: dict[UUID, dict[str, Any]] = {}
        self.fsrs_parameters: list[float] | None = None

    @classmethod
    def create(cls, owner_id: UUID, fields: dict[str, Any]) -> Course:
        v.check(fields, COURSE_RULES, required=("name",))
        check_dates(fields)
        fsrs_adapter.check_retention("desired_retention", fields.get("desired_retention"))
        return cls(owner_id=owner_id, fields=fields)

    def update(self, changes: dict[str, Any]) -> None:
        v.check(changes, COURSE_RULES)
        check_dates({**self.fields, **changes})
        fsrs_adapter.check_retention("desired_retention", changes.get("desired_retention"))
        changed = {k: v for k, v in changes.items() if self.fields.get(k) != v}
        if changed:
            self._updated(changes=changed)

    def set_status(self, status: str) -> None:
        if status == self.status:
            return
        if status == "archived":
            self._archived()
        else:
            self._restored()

    def add_section(self, section_id: UUID, fields: dict[str, Any]) -> None:
        v.check(fields, SECTION_RULES, required=("title",))
        self._section_added(section_id=section_id, fields=fields)

    def update_section(self, section_id: UUID, changes: dict[str, Any]) -> None:
        self._require_section(section_id)
        v.check(changes, SECTION_RULES)
        if changes:
            self._section_updated(section_id=section_id, changes=changes)

    def remove_section(self, section_id: UUID) -> None:
        self._require_section(section_id)
        self._section_removed(section_id=section_id)

    def _require_section(self, section_id: UUID) -> None:
        if section_id not in self.sections:
            raise NotFound("Section")

    def fit_fsrs(self, parameters: list[float], reviews_used: int, now: datetime) -> None:
        """Keeps FSRS parameters fitted to the course's reviews for its FSRS cards."""
        checked = fsrs_adapter.check_parameters(parameters)
        self._fsrs_parameters_fitted(
            parameters=list(checked), reviews_used=reviews_used, fitted_at=now
        )

    @event(Updated)
    def _updated(self, changes: dict[str, Any]) -> None:
        self.fields.update(changes)

    @event(Archived)
    def _archived(self) -> None:
        self.status = "archived"

    @event(Restored)
    def _restored(self) -> None:
        self.status = "active"

    @event(SectionAdded)
    def _section_added(self, section_id: UUID, fields: dict[str, Any]) -> None:
        self.sections[section_id] = dict(fields)

    @event(SectionUpdated)
    def _section_updated(self, section_id: UUID, changes: dict[str, Any]) -> None:
        self.sections[section_id].update(changes)

    @event(SectionRemoved)
    def _section_removed(self, section_id: UUID) -> None:
        del self.sections[section_id]

    @event(FsrsParametersFitted)
    def _fsrs_parameters_fitted(
        self, parameters: list[float], reviews_used: int, fitted_at: datetime
    ) -> None:
        self.fsrs_parameters = list(parameters)
