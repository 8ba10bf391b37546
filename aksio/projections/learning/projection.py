"""Read model of the learning context: study plans, goals, goal progress, study sessions.

Rows keep UTC instants and, for sessions, their Unix seconds (`started_s`),
so that questions in the learner's time zone can be answered at query time
(see `time`). Every figure is derived from these rows, which a
replay of the log rebuilds exactly.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from aksio.aggregates.learning.goal import GOAL_FIELDS, Goal
from aksio.aggregates.learning.study_plan import PLAN_FIELDS, StudyPlan
from aksio.aggregates.learning.study_session import StudySession
from aksio.projections.engine.base import Projection, Rows, handles
from aksio.projections.learning.tables import goal_progress, goals, study_plans, study_sessions


def _ids(values: list[Any]) -> list[str]:
    return [str(v) for v in values]


def credit_shares(seconds: int, goal_ids: list[str]) -> dict[str, int]:
    """A session's seconds split evenly over its goals; the first takes the remainder."""
    if not goal_ids:
        return {}
    share, rest = divmod(seconds, len(goal_ids))
    return {g: share + (rest if i == 0 else 0) for i, g in enumerate(goal_ids)}


class LearningProjection(Projection):
    name = "learning"
    tables = (study_plans, goals, goal_progress, study_sessions)

    # -- study plans ---------------------------------------------------------------
    @handles(StudyPlan.Created)
    def plan_created(self, e: StudyPlan.Created, rows: Rows) -> None:
        fields = {k: e.fields.get(k) for k in PLAN_FIELDS}
        rows.put(
            study_plans,
            {
                **fields,
                "id": e.originator_id,
                "owner_id": e.owner_id,
                "status": fields["status"] or "active",
                "priority_level": fields["priority_level"] or "medium",
                "graph": {},
                "goals_added": 0,
                "created_at": e.at,
                "updated_at": e.at,
            },
        )

    @handles(StudyPlan.Updated)
    def plan_updated(self, e: StudyPlan.Updated, rows: Rows) -> None:
        changes = {k: v for k, v in e.changes.items() if k in PLAN_FIELDS}
        rows.update(study_plans, e.originator_id, **changes, updated_at=e.at)

    @handles(StudyPlan.GoalAdded, StudyPlan.PrerequisitesChanged)
    def prerequisites_set(
        self, e: StudyPlan.GoalAdded | StudyPlan.PrerequisitesChanged, rows: Rows
    ) -> None:
        plan = rows.get(study_plans, e.originator_id)
        if plan is None:
            return
        graph = {**plan["graph"], str(e.goal_id): _ids(e.prerequisites)}
        rows.update(study_plans, e.originator_id, graph=graph)
        changes: dict[str, Any] = {"prerequisites": _ids(e.prerequisites), "updated_at": e.at}
        if isinstance(e, StudyPlan.GoalAdded):
            # The plan numbers its goals so that equal creation times keep their order.
            changes["seq"] = plan["goals_added"] + 1
            rows.update(study_plans, e.originator_id, goals_added=changes["seq"])
        rows.update(goals, e.goal_id, **changes)

    @handles(StudyPlan.GoalRemoved)
    def goal_removed(self, e: StudyPlan.GoalRemoved, rows: Rows) -> None:
        plan = rows.get(study_plans, e.originator_id)
        if plan is None:
            return
        gone, graph = str(e.goal_id), dict(plan["graph"])
        graph.pop(gone, None)
        for goal_id, prerequisites in list(graph.items()):
            if gone in prerequisites:
                graph[goal_id] = [p for p in prerequisites if p != gone]
                rows.update(goals, UUID(goal_id), prerequisites=graph[goal_id])
        rows.update(study_plans, e.originator_id, graph=graph)

    @handles(StudyPlan.ScheduleSaved)
    def schedule_saved(self, e: StudyPlan.ScheduleSaved, rows: Rows) -> None:
        rows.update(
            study_plans,
            e.originator_id,
            schedule=e.schedule,
            schedule_parameters=e.parameters,
            schedule_saved_at=e.at,
            schedule_unscheduled_hours=e.unscheduled_hours,
            updated_at=e.at,
        )

    @handles(StudyPlan.Deleted)
    def plan_deleted(self, e: StudyPlan.Deleted, rows: Rows) -> None:
        rows.delete(study_plans, e.originator_id)

    # -- goals ---------------------------------------------------------------------
    @handles(Goal.Created)
    def goal_created(self, e: Goal.Created, rows: Rows) -> None:
        fields = {k: e.fields.get(k) for k in GOAL_FIELDS}
        rows.put(
            goals,
            {
                **fields,
                "id": e.originator_id,
                "owner_id": e.owner_id,
                "plan_id": e.plan_id,
                "estimated_hours": fields["estimated_hours"] or 0.0,
                "priority": fields["priority"] or 3,
                "key_concepts": fields["key_concepts"] or [],
                "prerequisites": [],
                "progress_percentage": 0.0,
                "status": "not_started",
                "seconds_spent": 0,
                "sessions_count": 0,
                "progress_events": 0,
                "created_at": e.at,
                "updated_at": e.at,
            },
        )

    @handles(Goal.Updated)
    def goal_updated(self, e: Goal.Updated, rows: Rows) -> None:
        changes = {k: v for k, v in e.changes.items() if k in GOAL_FIELDS}
        rows.update(goals, e.originator_id, **changes, updated_at=e.at)

    @handles(Goal.ProgressUpdated)
    def goal_progressed(self, e: Goal.ProgressUpdated, rows: Rows) -> None:
        goal = self._log_progress(rows, e.originator_id, e.progress_percentage, e)
        if goal is None:
            return
        status = "in_progress" if e.progress_percentage > 0 else "not_started"
        notes = e.notes if e.notes is not None else goal["notes"]
        rows.update(goals, e.originator_id, status=status, notes=notes, updated_at=e.at)

    @handles(Goal.Completed)
    def goal_completed(self, e: Goal.Completed, rows: Rows) -> None:
        self._log_progress(rows, e.originator_id, 100.0, e)
        rows.update(goals, e.originator_id, status="completed", completed_at=e.at, updated_at=e.at)

    def _log_progress(
        self, rows: Rows, goal_id: UUID, after: float, e: Goal.ProgressUpdated | Goal.Completed
    ) -> dict[str, Any] | None:
        goal = rows.get(goals, goal_id)
        if goal is None or goal["progress_percentage"] == after:
            return goal
        seq = goal["progress_events"] + 1
        before = goal["progress_percentage"]
        rows.put(
            goal_progress,
            {
                "goal_id": goal_id,
                "seq": seq,
                "owner_id": goal["owner_id"],
                "plan_id": goal["plan_id"],
                "at": e.at,
                "progress_before": before,
                "progress_after": after,
                "delta_hours": goal["estimated_hours"] * (after - before) / 100,
                "session_id": getattr(e, "session_id", None),
                "notes": getattr(e, "notes", None),
            },
        )
        return rows.update(goals, goal_id, progress_percentage=after, progress_events=seq)

    @handles(Goal.Deleted)
    def goal_deleted(self, e: Goal.Deleted, rows: Rows) -> None:
        goal = rows.get(goals, e.originator_id)
        if goal is None:
            return
        for seq in range(1, goal["progress_events"] + 1):
            rows.delete(goal_progress, (e.originator_id, seq))
        rows.delete(goals, e.originator_id)

    # -- study sessions ------------------------------------------------------------
    @handles(StudySession.Created)
    def session_started(self, e: StudySession.Created, rows: Rows) -> None:
        f = e.fields
        rows.put(
            study_sessions,
            {
                "id": e.originator_id,
                "owner_id": e.owner_id,
                "plan_id": e.plan_id,
                "session_type": f.get("session_type") or "focused_study",
                "planned_duration_minutes": f.get("planned_duration_minutes"),
                "focus_areas": f.get("focus_areas") or [],
                "learning_objectives": f.get("learning_objectives") or [],
                "status": "in_progress",
                "started_at": e.started_at,
                "started_s": int(e.started_at.timestamp()),
                "topics_covered": [],
                "goals_worked_on": [],
                "progress_updates": [],
                "created_at": e.started_at,
                "updated_at": e.started_at,
            },
        )

    @handles(StudySession.Updated)
    def session_updated(self, e: StudySession.Updated, rows: Rows) -> None:
        changes = {k: v for k, v in e.changes.items() if k in study_sessions.c}
        rows.update(study_sessions, e.originator_id, **changes, updated_at=e.at)

    @handles(StudySession.Completed)
    def session_completed(self, e: StudySession.Completed, rows: Rows) -> None:
        worked = _ids(e.goals_worked_on)
        updates = [{**u, "goal_id": str(u["goal_id"])} for u in e.progress_updates]
        rows.update(
            study_sessions,
            e.originator_id,
            status="completed",
            completed_at=e.completed_at,
            duration_seconds=e.duration_seconds,
            duration_minutes=round(e.duration_seconds / 60),
            productivity_rating=e.productivity_rating,
            notes=e.notes,
            topics_covered=list(e.topics_covered),
            goals_worked_on=worked,
            progress_updates=updates,
            updated_at=e.completed_at,
        )
        self._credit(rows, e.duration_seconds, worked, sign=1)

    @handles(StudySession.Deleted)
    def session_deleted(self, e: StudySession.Deleted, rows: Rows) -> None:
        session = rows.get(study_sessions, e.originator_id)
        if session is not None and session["status"] == "completed":
            self._credit(rows, session["duration_seconds"], session["goals_worked_on"], sign=-1)
        rows.delete(study_sessions, e.originator_id)

    def _credit(self, rows: Rows, seconds: int, goal_ids: list[str], sign: int) -> None:
        for goal_id, share in credit_shares(seconds, goal_ids).items():
            goal = rows.get(goals, UUID(goal_id))
            if goal is not None:
                rows.update(
                    goals,
                    UUID(goal_id),
                    seconds_spent=goal["seconds_spent"] + sign * share,
                    sessions_count=goal["sessions_count"] + sign,
                )
