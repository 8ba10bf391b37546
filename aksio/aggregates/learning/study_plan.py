"""A study plan: a learner's dated plan toward a course, and the graph of its goals.

Lifecycle: `Created` (status `active`); fields and status change by `Updated`;
goals join by `GoalAdded` (their prerequisites must already be goals of this
plan), change their prerequisites by `PrerequisitesChanged` (refused when it
would close a cycle) and leave by `GoalRemoved`, which also drops them from
other goals' prerequisites; `ScheduleSaved` keeps a generated schedule;
`Deleted` ends it. The plan is the consistency boundary of the goal graph, so
two concurrent edits of the graph cannot together create a cycle.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from aksio.aggregates import values as v
from aksio.aggregates.learning.path_analysis import find_cycle
from aksio.core.errors import NotFound, ValidationFailed

PLAN_FIELDS = (
    "course_id",
    "title",
    "description",
    "start_date",
    "end_date",
    "study_hours_per_week",
    "priority_level",
    "status",
)
PLAN_STATUSES = ("active", "paused", "completed", "archived")
PLAN_RULES = {
    "course_id": v.identifier(),
    "title": v.text(required=True, max_length=200),
    "description": v.text(nullable=True),
    "start_date": v.day(),
    "end_date": v.day(),
    "study_hours_per_week": v.number(nullable=True),
    "priority_level": v.choice("low", "medium", "high"),
    "status": v.choice(*PLAN_STATUSES),
}


def check_plan_dates(fields: dict[str, Any]) -> None:
    start, end = fields.get("start_date"), fields.get("end_date")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        raise ValidationFailed.field("end_date", "End date must not be before start date.")


class StudyPlan(Aggregate):
    TOPIC = "aksio.study_plan"

    class Created(Aggregate.Created):
        TOPIC = "aksio.study_plan.created"
        owner_id: UUID
        fields: dict[str, Any]
        at: datetime

    class Updated(Aggregate.Event):
        TOPIC = "aksio.study_plan.updated"
        changes: dict[str, Any]
        at: datetime

    class GoalAdded(Aggregate.Event):
        TOPIC = "aksio.study_plan.goal_added"
        goal_id: UUID
        prerequisites: list[UUID]
        at: datetime

    class PrerequisitesChanged(Aggregate.Event):
        TOPIC = "aksio.study_plan.prerequisites_changed"
        goal_id: UUID
        prerequisites: list[UUID]
        at: datetime

    class GoalRemoved(Aggregate.Event):
        TOPIC = "aksio.study_plan.goal_removed"
        goal_id: UUID
        at: datetime

    class ScheduleSaved(Aggregate.Event):
        TOPIC = "aksio.study_plan.schedule_saved"
        schedule: list[dict[str, Any]]
        parameters: dict[str, Any]
        unscheduled_hours: float
        at: datetime

    class Deleted(Aggregate.Event):
        TOPIC = "aksio.study_plan.deleted"
        at: datetime

    @event(Created)
    def __init__(self, owner_id: UUID, fields: dict[str, Any], at: datetime) -> None:
        self.owner_id = owner_id
        self.fields = {"status": "active", **fields}
        self.goals: dict[UUID, list[UUID]] = {}
        self.deleted = False

    @classmethod
    def create(cls, owner_id: UUID, fields: dict[str, Any], at: datetime) -> StudyPlan:
        decided = {"priority_level": "medium", **fields}
        v.check(decided, PLAN_RULES, required=("title",))
        check_plan_dates(decided)
        return cls(owner_id=owner_id, fields=decided, at=at)

    def update(self, changes: dict[str, Any], at: datetime) -> None:
        v.check(changes, PLAN_RULES)
        if changes.get("start_date", True) is None:
            raise ValidationFailed.field("start_date", "May not be null.")
        check_plan_dates({**self.fields, **changes})
        if "status" in changes and changes["status"] not in PLAN_STATUSES:
            raise ValidationFailed.field("status", "Unknown status.")
        changed = {k: v for k, v in changes.items() if self.fields.get(k) != v}
        if changed:
            self._updated(changes=changed, at=at)

    def add_goal(self, goal_id: UUID, prerequisites: list[UUID], at: datetime) -> None:
        self._check_members(prerequisites)
        self._goal_added(goal_id=goal_id, prerequisites=list(dict.fromkeys(prerequisites)), at=at)

    def change_prerequisites(self, goal_id: UUID, prerequisites: list[UUID], at: datetime) -> None:
        self._require_goal(goal_id)
        wanted = list(dict.fromkeys(prerequisites))
        self._check_members(wanted)
        cycle = find_cycle({**self.goals, goal_id: wanted})
        if cycle is not None:
            path = " -> ".join(str(g) for g in cycle)
            raise ValidationFailed.field("prerequisites", f"Prerequisites form a cycle: {path}.")
        if wanted != self.goals[goal_id]:
            self._prerequisites_changed(goal_id=goal_id, prerequisites=wanted, at=at)

    def remove_goal(self, goal_id: UUID, at: datetime) -> None:
        self._require_goal(goal_id)
        self._goal_removed(goal_id=goal_id, at=at)

    def save_schedule(
        self,
        schedule: list[dict[str, Any]],
        parameters: dict[str, Any],
        unscheduled: float,
        at: datetime,
    ) -> None:
        self._schedule_saved(
            schedule=schedule, parameters=parameters, unscheduled_hours=unscheduled, at=at
        )

    def delete(self, at: datetime) -> None:
        self._deleted(at=at)

    def _check_members(self, prerequisites: list[UUID]) -> None:
        unknown = [str(p) for p in prerequisites if p not in self.goals]
        if unknown:
            problem = f"Not goals of this study plan: {', '.join(unknown)}."
            raise ValidationFailed.field("prerequisites", problem)

    def _require_goal(self, goal_id: UUID) -> None:
        if goal_id not in self.goals:
            raise NotFound("Goal")

    @event(Updated)
    def _updated(self, changes: dict[str, Any], at: datetime) -> None:
        self.fields.update(changes)

    @event(GoalAdded)
    def _goal_added(self, goal_id: UUID, prerequisites: list[UUID], at: datetime) -> None:
        self.goals[goal_id] = list(prerequisites)

    @event(PrerequisitesChanged)
    def _prerequisites_changed(
        self, goal_id: UUID, prerequisites: list[UUID], at: datetime
    ) -> None:
        self.goals[goal_id] = list(prerequisites)

    @event(GoalRemoved)
    def _goal_removed(self, goal_id: UUID, at: datetime) -> None:
        del self.goals[goal_id]
        for prerequisites in self.goals.values():
            if goal_id in prerequisites:
                prerequisites.remove(goal_id)

    @event(ScheduleSaved)
    def _schedule_saved(
        self,
        schedule: list[dict[str, Any]],
        parameters: dict[str, Any],
        unscheduled_hours: float,
        at: datetime,
    ) -> None:
        self.schedule_saved_at = at

    @event(Deleted)
    def _deleted(self, at: datetime) -> None:
        self.deleted = True
