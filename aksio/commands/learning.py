"""Commands of the learning context: study plans, goals and study sessions.

References in a request body (a course, a study plan, prerequisite or
progress goals) that are missing or another user's are 422 on that field;
the resource named in the path is 404 as everywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from aksio.aggregates.courses.course import Course
from aksio.aggregates.learning.goal import Goal
from aksio.aggregates.learning.study_plan import StudyPlan
from aksio.aggregates.learning.study_session import StudySession
from aksio.commands.bus import Command, Handler, UnitOfWork
from aksio.core.errors import NotFound, ValidationFailed


@dataclass(frozen=True, kw_only=True)
class CreateStudyPlan(Command[UUID]):
    owner_id: UUID
    fields: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class UpdateStudyPlan(Command[None]):
    owner_id: UUID
    plan_id: UUID
    changes: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class DeleteStudyPlan(Command[None]):
    owner_id: UUID
    plan_id: UUID


@dataclass(frozen=True, kw_only=True)
class SaveSchedule(Command[None]):
    owner_id: UUID
    plan_id: UUID
    schedule: list[dict[str, Any]]
    parameters: dict[str, Any]
    unscheduled_hours: float


@dataclass(frozen=True, kw_only=True)
class CreateGoal(Command[UUID]):
    owner_id: UUID
    plan_id: UUID
    fields: dict[str, Any]
    prerequisites: list[UUID] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class UpdateGoal(Command[None]):
    owner_id: UUID
    goal_id: UUID
    changes: dict[str, Any]
    prerequisites: list[UUID] | None = None


@dataclass(frozen=True, kw_only=True)
class UpdateGoalProgress(Command[None]):
    owner_id: UUID
    goal_id: UUID
    progress_percentage: float
    notes: str | None = None


@dataclass(frozen=True, kw_only=True)
class CompleteGoal(Command[None]):
    owner_id: UUID
    goal_id: UUID


@dataclass(frozen=True, kw_only=True)
class DeleteGoal(Command[None]):
    owner_id: UUID
    goal_id: UUID


@dataclass(frozen=True, kw_only=True)
class StartStudySession(Command[UUID]):
    owner_id: UUID
    plan_id: UUID | None
    fields: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class UpdateStudySession(Command[None]):
    owner_id: UUID
    session_id: UUID
    changes: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class CompleteStudySession(Command[None]):
    owner_id: UUID
    session_id: UUID
    productivity_rating: int | None = None
    notes: str | None = None
    topics_covered: list[str] = field(default_factory=list)
    goals_worked_on: list[UUID] = field(default_factory=list)
    progress_updates: list[tuple[UUID, float]] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class DeleteStudySession(Command[None]):
    owner_id: UUID
    session_id: UUID


# -- loading -------------------------------------------------------------------------
def _plan(uow: UnitOfWork, owner_id: UUID, plan_id: UUID) -> StudyPlan:
    plan = uow.load(StudyPlan, plan_id, owner_id=owner_id)
    if plan.deleted:
        raise NotFound("StudyPlan")
    return plan


def _goal(uow: UnitOfWork, owner_id: UUID, goal_id: UUID) -> tuple[Goal, StudyPlan]:
    """A live goal and its plan; a goal of a deleted plan is gone with it."""
    goal = uow.load(Goal, goal_id, owner_id=owner_id)
    if goal.deleted:
        raise NotFound("Goal")
    try:
        return goal, _plan(uow, owner_id, goal.plan_id)
    except NotFound:
        raise NotFound("Goal") from None


def _session(uow: UnitOfWork, owner_id: UUID, session_id: UUID) -> StudySession:
    session = uow.load(StudySession, session_id, owner_id=owner_id)
    if session.deleted:
        raise NotFound("StudySession")
    return session


def _referenced_plan(uow: UnitOfWork, owner_id: UUID, plan_id: UUID) -> StudyPlan:
    try:
        return _plan(uow, owner_id, plan_id)
    except NotFound:
        raise ValidationFailed.field("study_plan", "No such study plan.") from None


def _check_course(uow: UnitOfWork, owner_id: UUID, course_id: UUID | None) -> None:
    if course_id is None:
        return
    course = uow.find(Course, course_id)
    if course is None or course.owner_id != owner_id:
        raise ValidationFailed.field("course", "No such course.")


# -- handlers ------------------------------------------------------------------------
def create_study_plan(cmd: CreateStudyPlan, uow: UnitOfWork) -> UUID:
    _check_course(uow, cmd.owner_id, cmd.fields.get("course_id"))
    plan = StudyPlan.create(cmd.owner_id, cmd.fields, uow.services.clock.now())
    uow.save(plan)
    return plan.id


def update_study_plan(cmd: UpdateStudyPlan, uow: UnitOfWork) -> None:
    plan = _plan(uow, cmd.owner_id, cmd.plan_id)
    _check_course(uow, cmd.owner_id, cmd.changes.get("course_id"))
    plan.update(cmd.changes, uow.services.clock.now())
    uow.save(plan)


def delete_study_plan(cmd: DeleteStudyPlan, uow: UnitOfWork) -> None:
    """Deletes the plan and its goals together."""
    plan = _plan(uow, cmd.owner_id, cmd.plan_id)
    now = uow.services.clock.now()
    goals = [uow.load(Goal, goal_id) for goal_id in plan.goals]
    for goal in goals:
        goal.delete(now)
    plan.delete(now)
    uow.save(*goals, plan)


def save_schedule(cmd: SaveSchedule, uow: UnitOfWork) -> None:
    plan = _plan(uow, cmd.owner_id, cmd.plan_id)
    now = uow.services.clock.now()
    plan.save_schedule(cmd.schedule, cmd.parameters, cmd.unscheduled_hours, now)
    uow.save(plan)


def create_goal(cmd: CreateGoal, uow: UnitOfWork) -> UUID:
    plan = _referenced_plan(uow, cmd.owner_id, cmd.plan_id)
    now = uow.services.clock.now()
    goal = Goal.create(cmd.owner_id, plan.id, cmd.fields, now)
    plan.add_goal(goal.id, cmd.prerequisites, now)
    uow.save(goal, plan)
    return goal.id


def update_goal(cmd: UpdateGoal, uow: UnitOfWork) -> None:
    goal, plan = _goal(uow, cmd.owner_id, cmd.goal_id)
    now = uow.services.clock.now()
    goal.update(cmd.changes, now)
    if cmd.prerequisites is not None:
        plan.change_prerequisites(goal.id, cmd.prerequisites, now)
    uow.save(goal, plan)


def update_goal_progress(cmd: UpdateGoalProgress, uow: UnitOfWork) -> None:
    goal, _ = _goal(uow, cmd.owner_id, cmd.goal_id)
    goal.update_progress(cmd.progress_percentage, uow.services.clock.now(), notes=cmd.notes)
    uow.save(goal)


def complete_goal(cmd: CompleteGoal, uow: UnitOfWork) -> None:
    goal, _ = _goal(uow, cmd.owner_id, cmd.goal_id)
    goal.complete(uow.services.clock.now())
    uow.save(goal)


def delete_goal(cmd: DeleteGoal, uow: UnitOfWork) -> None:
    goal, plan = _goal(uow, cmd.owner_id, cmd.goal_id)
    now = uow.services.clock.now()
    goal.delete(now)
    plan.remove_goal(goal.id, now)
    uow.save(goal, plan)


def start_study_session(cmd: StartStudySession, uow: UnitOfWork) -> UUID:
    if cmd.plan_id is not None:
        _referenced_plan(uow, cmd.owner_id, cmd.plan_id)
    session = StudySession.start(cmd.owner_id, cmd.plan_id, cmd.fields, uow.services.clock.now())
    uow.save(session)
    return session.id


def update_study_session(cmd: UpdateStudySession, uow: UnitOfWork) -> None:
    session = _session(uow, cmd.owner_id, cmd.session_id)
    session.update(cmd.changes, uow.services.clock.now())
    uow.save(session)


def _referenced_goals(uow: UnitOfWork, owner_id: UUID, ids: list[UUID], name: str) -> list[Goal]:
    goals = []
    for index, goal_id in enumerate(ids):
        try:
            goals.append(_goal(uow, owner_id, goal_id)[0])
        except NotFound:
            raise ValidationFailed.field(f"{name}.{index}", "No such goal.") from None
    return goals


def complete_study_session(cmd: CompleteStudySession, uow: UnitOfWork) -> None:
    """Ends the session and applies its progress updates to the goals, all or nothing."""
    session = _session(uow, cmd.owner_id, cmd.session_id)
    now = uow.services.clock.now()
    worked = _referenced_goals(uow, cmd.owner_id, cmd.goals_worked_on, "goals_worked_on")
    updated_ids = [goal_id for goal_id, _ in cmd.progress_updates]
    updated = _referenced_goals(uow, cmd.owner_id, updated_ids, "progress_updates")
    goals = {g.id: g for g in [*worked, *updated]}
    updates = [{"goal_id": g, "progress_percentage": float(p)} for g, p in cmd.progress_updates]
    session.complete(
        now,
        rating=cmd.productivity_rating,
        notes=cmd.notes,
        topics=cmd.topics_covered,
        goals=list(goals),
        progress_updates=updates,
    )
    for goal_id, percentage in cmd.progress_updates:
        goals[goal_id].update_progress(percentage, now, session_id=session.id)
    uow.save(session, *goals.values())


def delete_study_session(cmd: DeleteStudySession, uow: UnitOfWork) -> None:
    session = _session(uow, cmd.owner_id, cmd.session_id)
    session.delete(uow.services.clock.now())
    uow.save(session)


HANDLERS: dict[type[Any], Handler] = {
    CreateStudyPlan: create_study_plan,
    UpdateStudyPlan: update_study_plan,
    DeleteStudyPlan: delete_study_plan,
    SaveSchedule: save_schedule,
    CreateGoal: create_goal,
    UpdateGoal: update_goal,
    UpdateGoalProgress: update_goal_progress,
    CompleteGoal: complete_goal,
    DeleteGoal: delete_goal,
    StartStudySession: start_study_session,
    UpdateStudySession: update_study_session,
    CompleteStudySession: complete_study_session,
    DeleteStudySession: delete_study_session,
}
