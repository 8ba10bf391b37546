"""Study plan reports: progress, recommendations and the study-plans dashboard.

Everything here is computed when asked, from the learning rows, the course's
exam date, the other contexts' signals and the injected clock's "now" read in
the learner's zone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, cast
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Connection

from aksio.aggregates.learning.advice import Signals, plan_advice
from aksio.aggregates.learning.localtime import day_span, local_day
from aksio.aggregates.learning.path_analysis import GoalNode, recommended_order
from aksio.aggregates.learning.progress import goal_figures, plan_figures
from aksio.aggregates.learning.scheduling import (
    WINDOWS,
    GoalWork,
    Schedule,
    ScheduleRules,
    generate_schedule,
    plan_horizon,
    remaining_hours,
)
from aksio.core.errors import InvalidState
from aksio.projections import courses as courses_read_model
from aksio.projections.learning import queries as q
from aksio.projections.learning import signals
from aksio.projections.learning.shapes import (
    PlanProgress,
    PlansDashboard,
    PlanSummary,
    RecommendationOut,
    Recommendations,
    TodaySchedule,
    UpcomingGoal,
)
from aksio.projections.learning.time import daily_totals

RECENT_DAYS = 14
UPCOMING = 10


def exam_date(conn: Connection, owner_id: UUID, plan: Mapping[str, Any]) -> date | None:
    if plan.get("course_id") is None:
        return None
    course = courses_read_model.get_course(conn, owner_id, plan["course_id"])
    found = course.get("exam_date") if course else None
    return found if isinstance(found, date) else None


def goal_nodes(goals: Sequence[Mapping[str, Any]]) -> list[GoalNode[str]]:
    """The plan's goals as graph nodes, weighted by remaining hours, in creation order."""
    return [
        GoalNode(
            str(g["id"]),
            g["title"],
            remaining_hours(g["estimated_hours"], g["progress_percentage"]),
            g["priority"],
            g["target_date"],
            tuple(g["prerequisites"] or ()),
            g["status"] == "completed",
            i,
        )
        for i, g in enumerate(goals)
    ]


def plan_progress(
    conn: Connection, owner_id: UUID, plan: Mapping[str, Any], now: datetime, tz: ZoneInfo
) -> PlanProgress:
    goals = q.owner_goals(conn, owner_id, plan["id"])
    today = local_day(now, tz)
    figures = plan_figures(plan, goals, today, exam_date(conn, owner_id, plan))
    sessions, hours = q.plan_session_hours(conn, owner_id, plan["id"])
    figures.update(sessions_completed=sessions, hours_studied=round(hours, 2), timezone=tz.key)
    # plan_figures (aggregates/learning/progress.py) builds the other keys, untyped.
    return cast(PlanProgress, figures)


def _signals(
    conn: Connection, owner_id: UUID, plan: Mapping[str, Any], now: datetime, tz: ZoneInfo
) -> Signals:
    goals = q.owner_goals(conn, owner_id, plan["id"])
    open_goals = [g for g in goals if g["status"] != "completed"]
    concepts = [c for g in open_goals for c in g["key_concepts"]]
    _, seconds = q.session_seconds(
        conn, owner_id, now - timedelta(days=RECENT_DAYS), now, plan["id"]
    )
    last = q.last_session_at(conn, owner_id, plan["id"])
    idle = (local_day(now, tz) - local_day(last, tz)).days if last else None
    course_id = plan.get("course_id")
    return Signals(
        order=recommended_order(goal_nodes(goals)),
        recent_hours_per_week=seconds / 3600 * 7 / RECENT_DAYS,
        days_since_session=idle,
        due_flashcards=signals.due_flashcards(conn, owner_id, now, course_id),
        concepts=signals.concept_accuracy(conn, owner_id, course_id, concepts) if concepts else [],
        goal_concepts={str(g["id"]): g["key_concepts"] for g in open_goals},
    )


def plan_recommendations(
    conn: Connection, owner_id: UUID, plan: Mapping[str, Any], now: datetime, tz: ZoneInfo
) -> Recommendations:
    figures = plan_progress(conn, owner_id, plan, now, tz)
    advice = plan_advice(figures, _signals(conn, owner_id, plan, now, tz))
    items = cast(list[RecommendationOut], advice)  # built untyped by aggregates/learning/advice.py
    return {"plan_id": plan["id"], "generated_at": now, "recommendations": items}


def _plan_summary(figures: Mapping[str, Any], order: list[str]) -> PlanSummary:
    views = {str(g["goal_id"]): g for g in figures["goals"]}
    nxt = views[order[0]] if order else None
    f = figures
    return {
        "plan_id": f["plan_id"], "title": f["title"], "status": f["status"],
        "end_date": f["end_date"], "deadline_source": f["deadline_source"],
        "days_remaining": f["days_remaining"], "goals_total": f["goals_total"],
        "goals_completed": f["goals_completed"],
        "completion_percentage": f["completion_percentage"],
        "expected_percentage": f["expected_percentage"],
        "schedule_status": f["schedule_status"], "remaining_hours": f["remaining_hours"],
        "next_goal": (
            {"goal_id": nxt["goal_id"], "title": nxt["title"], "target_date": nxt["target_date"]}
            if nxt
            else None
        ),
    }  # fmt: skip


def _today_schedule(plans: Sequence[Mapping[str, Any]], today: date) -> list[TodaySchedule]:
    out: list[TodaySchedule] = []
    for plan in plans:
        for day in plan.get("schedule") or []:
            if day.get("date") == today.isoformat():
                out.append(
                    {
                        "plan_id": plan["id"],
                        "plan_title": plan["title"],
                        "sessions": day["sessions"],
                        "total_hours": day["total_hours"],
                    }
                )
    return out


def plans_dashboard(
    conn: Connection, owner_id: UUID, now: datetime, tz: ZoneInfo
) -> PlansDashboard:
    """Every plan that is not archived at a glance, today's planned study and what is due next."""
    today = local_day(now, tz)
    plans = [p for p in q.all_plans(conn, owner_id) if p["status"] != "archived"]
    by_plan: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for goal in q.owner_goals(conn, owner_id):
        by_plan[goal["plan_id"]].append(goal)
    summaries = []
    for plan in plans:
        goals = by_plan[plan["id"]]
        figures = plan_figures(plan, goals, today, exam_date(conn, owner_id, plan))
        summaries.append(_plan_summary(figures, recommended_order(goal_nodes(goals))))
    studied = daily_totals(conn, owner_id, tz, *day_span(today, today, tz)).get(today)
    upcoming = sorted(
        (
            goal_figures(g, today) | {"plan_id": g["plan_id"]}
            for p in plans
            for g in by_plan[p["id"]]
            if g["status"] != "completed" and g["target_date"] and g["target_date"] >= today
        ),
        key=lambda g: (g["target_date"], g["priority"], str(g["goal_id"])),
    )[:UPCOMING]
    return {
        "today": today,
        "timezone": tz.key,
        "active_plans": sum(p["status"] == "active" for p in plans),
        "plans": summaries,
        "today_schedule": _today_schedule(plans, today),
        "studied_today_hours": round(studied.hours, 2) if studied else 0.0,
        "upcoming_goals": [
            # goal_figures (aggregates/learning/progress.py) builds the other keys, untyped.
            cast(UpcomingGoal, g | {"days_left": (g["target_date"] - today).days})
            for g in upcoming
        ],
    }


def default_hours_per_day(plan: Mapping[str, Any], include_weekends: bool) -> float:
    """The plan's weekly hours over its study days, in quarter hours; 2 without them."""
    weekly = float(plan.get("study_hours_per_week") or 0)
    if not weekly:
        return 2.0
    return max(0.25, round(weekly / (7 if include_weekends else 5) * 4) / 4)


def goal_work(goals: Sequence[Mapping[str, Any]]) -> list[GoalWork]:
    """The plan's goals as the scheduler sees them: remaining hours, order, concepts."""
    return [
        GoalWork(
            str(g["id"]), g["title"],
            0.0 if g["status"] == "completed"
            else remaining_hours(g["estimated_hours"], g["progress_percentage"]),
            g["priority"], g["target_date"], tuple(g["prerequisites"]), tuple(g["key_concepts"]), i,
        )
        for i, g in enumerate(goals)
    ]  # fmt: skip


def plan_schedule(
    conn: Connection,
    owner_id: UUID,
    plan: Mapping[str, Any],
    now: datetime,
    tz: ZoneInfo,
    rules: Mapping[str, Any],
) -> tuple[Schedule, dict[str, Any]]:
    """The plan's schedule from today (local) and the parameters it was made with.

    `rules` holds `hours_per_day` (None for the default), `preferred_times`
    (None for all windows) and `include_weekends`. Raises InvalidState when the
    plan has no day left.
    """
    local_now = now.astimezone(tz)
    today = local_now.date()
    end, source = plan_horizon(plan.get("end_date"), exam_date(conn, owner_id, plan))
    start = max(plan.get("start_date") or today, today)
    if end is not None and end < start:
        raise InvalidState("The study plan has no days left to schedule; change its end date.")
    weekends = bool(rules["include_weekends"])
    hours = rules["hours_per_day"] or default_hours_per_day(plan, weekends)
    windows = tuple(rules["preferred_times"] or WINDOWS)
    not_before = local_now.time() if start == today else None
    work = goal_work(q.owner_goals(conn, owner_id, plan["id"]))
    schedule = generate_schedule(
        work, ScheduleRules(start, end, hours, windows, weekends, not_before)
    )
    parameters = {
        "hours_per_day": hours,
        "preferred_times": list(windows),
        "include_weekends": weekends,
        "start_date": start.isoformat(),
        "end_date": end.isoformat() if end else None,
        "deadline_source": source,
        "timezone": tz.key,
    }
    return schedule, parameters
