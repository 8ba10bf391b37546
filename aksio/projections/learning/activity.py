"""The learner's activity dashboard (with achievements) and the analysis of goal paths."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Connection

from aksio.aggregates.learning.localtime import local_day, local_midnight
from aksio.aggregates.learning.path_analysis import (
    blocked_goals,
    critical_path,
    find_cycle,
    recommended_order,
)
from aksio.aggregates.learning.progress import priority_name
from aksio.aggregates.learning.streaks import milestones, streak
from aksio.projections import courses as courses_read_model
from aksio.projections.engine.base import Row
from aksio.projections.learning import queries as q
from aksio.projections.learning.reports import goal_nodes
from aksio.projections.learning.shapes import (
    Achievement,
    ActivityDashboard,
    Deadline,
    DeadlineType,
    PathAnalysis,
    PlanPath,
)
from aksio.projections.learning.time import Totals, daily_totals

DEADLINE_DAYS = 30
ACHIEVEMENT_DAYS = 30
SHOWN = 10
HOUR_MILESTONES = (10, 25, 50, 100, 250, 500, 1000)
KIND_ORDER = {"exam": 0, "study_plan": 1, "goal": 2}


def _at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


# A deadline before its days_left: kind, id, title, due date, priority.
Due = tuple[DeadlineType, UUID, str, date, str]


def _exams(conn: Connection, owner_id: UUID, plans: Sequence[Row]) -> list[Due]:
    found: list[Due] = []
    for course_id in dict.fromkeys(p["course_id"] for p in plans if p["course_id"]):
        course = courses_read_model.get_course(conn, owner_id, course_id)
        if course and course.get("exam_date"):
            found.append(
                ("exam", course_id, f"Exam: {course['name']}", course["exam_date"], "high")
            )
    return found


def _deadlines(
    conn: Connection, owner_id: UUID, plans: Sequence[Row], goals: Sequence[Row], today: date
) -> list[Deadline]:
    """Unfinished goals' target dates, active plans' end dates and their courses' exams."""
    found: list[Due] = [
        ("goal", g["id"], g["title"], g["target_date"], priority_name(g["priority"]))
        for g in goals if g["status"] != "completed" and g["target_date"]
    ]  # fmt: skip
    found.extend(
        ("study_plan", p["id"], p["title"], p["end_date"], p["priority_level"])
        for p in plans if p["status"] == "active" and p["end_date"]
    )  # fmt: skip
    found += _exams(conn, owner_id, plans)
    last = today + timedelta(days=DEADLINE_DAYS)
    soon: list[Deadline] = [
        {"type": kind, "id": id_, "title": title, "due_date": due, "priority": priority,
         "days_left": (due - today).days}
        for kind, id_, title, due, priority in found if today <= due <= last
    ]  # fmt: skip
    soon.sort(key=lambda d: (d["due_date"], KIND_ORDER[d["type"]], d["title"], str(d["id"])))
    return soon[:SHOWN]


def _streak_achievements(history: Mapping[date, Totals]) -> list[Achievement]:
    return [
        {
            "type": "study_streak",
            "title": f"{length}-day study streak!",
            "achieved_at": _at(history[day].first_start_s),
        }
        for length, day in milestones(history)
    ]


def _hour_achievements(history: Mapping[date, Totals]) -> list[Achievement]:
    out: list[Achievement] = []
    total, wanted = 0.0, list(HOUR_MILESTONES)
    for day in sorted(history):
        total += history[day].hours
        while wanted and total >= wanted[0]:
            out.append(
                {
                    "type": "study_hours",
                    "title": f"{wanted.pop(0)} hours of study",
                    "achieved_at": _at(history[day].last_end_s),
                }
            )
    return out


def _goal_achievements(plans: Sequence[Row], goals: Sequence[Row]) -> list[Achievement]:
    out: list[Achievement] = [
        {
            "type": "goal_completed",
            "title": f"Completed goal: {g['title']}",
            "achieved_at": g["completed_at"],
        }
        for g in goals
        if g["completed_at"]
    ]
    by_plan: dict[Any, list[Row]] = defaultdict(list)
    for goal in goals:
        by_plan[goal["plan_id"]].append(goal)
    for plan in plans:
        mine = by_plan[plan["id"]]
        if mine and all(g["completed_at"] for g in mine):
            out.append(
                {
                    "type": "study_plan_completed",
                    "title": f"Completed plan: {plan['title']}",
                    "achieved_at": max(g["completed_at"] for g in mine),
                }
            )
    return out


def activity_dashboard(
    conn: Connection, owner_id: UUID, tz: ZoneInfo, now: datetime
) -> ActivityDashboard:
    today = local_day(now, tz)
    history = daily_totals(conn, owner_id, tz, None, local_midnight(today + timedelta(days=1), tz))
    current = streak(history, today)
    week_start = today - timedelta(days=6)
    month_start = local_midnight(today.replace(day=1), tz)
    plans, goals = q.all_plans(conn, owner_id), q.owner_goals(conn, owner_id)
    achievements = [
        *_streak_achievements(history),
        *_hour_achievements(history),
        *_goal_achievements(plans, goals),
    ]
    since = now - timedelta(days=ACHIEVEMENT_DAYS)
    recent = [a for a in achievements if since <= a["achieved_at"] <= now]
    recent.sort(key=lambda a: (a["achieved_at"], a["title"]), reverse=True)
    return {
        "study_streak": {"current": current.current, "longest": current.longest},
        "weekly_hours": round(sum(t.hours for d, t in history.items() if d >= week_start), 2),
        "goals_completed_this_month": sum(
            1 for g in goals if g["completed_at"] and g["completed_at"] >= month_start
        ),
        "upcoming_deadlines": _deadlines(conn, owner_id, plans, goals, today),
        "recent_achievements": recent[:SHOWN],
        "today": today,
        "timezone": tz.key,
    }


def _plan_path(plan: Row, goals: Sequence[Row]) -> PlanPath:
    # The goal graph is keyed by the goals' ids as text (see goal_nodes); UUID(...) turns
    # them back into the ids the answer declares.
    nodes = goal_nodes(goals)
    titles = {n.id: n.title for n in nodes}
    by_id = {n.id: n for n in nodes}
    order, blocked = recommended_order(nodes), blocked_goals(nodes)
    hours, chain = critical_path(nodes)
    cycle = find_cycle({n.id: n.prerequisites for n in nodes})
    return {
        "plan_id": plan["id"],
        "title": plan["title"],
        "goals_total": len(nodes),
        "goals_completed": sum(n.completed for n in nodes),
        "remaining_hours": round(sum(by_id[g].remaining_hours for g in order), 2),
        "recommended_order": [
            {
                "goal_id": UUID(g),
                "title": titles[g],
                "remaining_hours": round(by_id[g].remaining_hours, 2),
                "priority": by_id[g].priority,
                "target_date": by_id[g].target_date,
                "blocked": g in blocked,
            }
            for g in order
        ],
        "available_goals": [UUID(g) for g in order if g not in blocked],
        "blocked_goals": [
            {"goal_id": UUID(g), "title": titles[g], "blocked_by": [UUID(b) for b in by]}
            for g, by in blocked.items()
        ],
        "critical_path": {
            "goal_ids": [UUID(g) for g in chain],
            "titles": [titles[g] for g in chain],
            "hours": hours,
        },
        "cycle": [UUID(g) for g in cycle] if cycle is not None else None,
    }


def learning_paths(conn: Connection, owner_id: UUID, plan_id: UUID | None) -> PathAnalysis:
    """The goal graph of each plan that is not archived (or of the one plan asked for)."""
    if plan_id is not None:
        one = q.get_plan(conn, owner_id, plan_id)
        plans = [one] if one else []
    else:
        plans = [p for p in q.all_plans(conn, owner_id) if p["status"] != "archived"]
    by_plan: dict[Any, list[Row]] = defaultdict(list)
    for goal in q.owner_goals(conn, owner_id, plan_id):
        by_plan[goal["plan_id"]].append(goal)
    return {"plans": [_plan_path(plan, by_plan[plan["id"]]) for plan in plans]}
