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
from aksio.projections.base import Row
from aksio.projections.learning import queries as q
from aksio.projections.learning.reports import goal_nodes
from aksio.projections.learning.time import Totals, daily_totals

DEADLINE_DAYS = 30
ACHIEVEMENT_DAYS = 30
SHOWN = 10
HOUR_MILESTONES = (10, 25, 50, 100, 250, 500, 1000)
KIND_ORDER = {"exam": 0, "study_plan": 1, "goal": 2}


def _at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _exams(conn: Connection, owner_id: UUID, plans: Sequence[Row]) -> list[dict[str, Any]]:
    found = []
    for course_id in dict.fromkeys(p["course_id"] for p in plans if p["course_id"]):
        course = courses_read_model.get_course(conn, owner_id, course_id)
        if course and course.get("exam_date"):
            found.append({"type": "exam", "id": course_id, "title": f"Exam: {course['name']}",
                          "due_date": course["exam_date"], "priority": "high"})  # fmt: skip
    return found


def _deadlines(
    conn: Connection, owner_id: UUID, plans: Sequence[Row], goals: Sequence[Row], today: date
) -> list[dict[str, Any]]:
    """Unfinished goals' target dates, active plans' end dates and their courses' exams."""
    found = [{"type": "goal", "id": g["id"], "title": g["title"], "due_date": g["target_date"],
              "priority": priority_name(g["priority"])}
             for g in goals if g["status"] != "completed" and g["target_date"]]  # fmt: skip
    found += [{"type": "study_plan", "id": p["id"], "title": p["title"], "due_date": p["end_date"],
               "priority": p["priority_level"]}
              for p in plans if p["status"] == "active" and p["end_date"]]  # fmt: skip
    found += _exams(conn, owner_id, plans)
    last = today + timedelta(days=DEADLINE_DAYS)
    soon = [d | {"days_left": (d["due_date"] - today).days} for d in found
            if today <= d["due_date"] <= last]  # fmt: skip
    soon.sort(key=lambda d: (d["due_date"], KIND_ORDER[d["type"]], d["title"], str(d["id"])))
    return soon[:SHOWN]


def _streak_achievements(history: Mapping[date, Totals]) -> list[dict[str, Any]]:
    return [
        {
            "type": "study_streak",
            "title": f"{length}-day study streak!",
            "achieved_at": _at(history[day].first_start_s),
        }
        for length, day in milestones(history)
    ]


def _hour_achievements(history: Mapping[date, Totals]) -> list[dict[str, Any]]:
    out, total, wanted = [], 0.0, list(HOUR_MILESTONES)
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


def _goal_achievements(plans: Sequence[Row], goals: Sequence[Row]) -> list[dict[str, Any]]:
    out = [
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


def activity_dashboard(conn: Connection, owner_id: UUID, tz: ZoneInfo, now: datetime) -> Any:
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


def _plan_path(plan: Row, goals: Sequence[Row]) -> dict[str, Any]:
    nodes = goal_nodes(goals)
    titles = {n.id: n.title for n in nodes}
    by_id = {n.id: n for n in nodes}
    order, blocked = recommended_order(nodes), blocked_goals(nodes)
    hours, chain = critical_path(nodes)
    return {
        "plan_id": plan["id"],
        "title": plan["title"],
        "goals_total": len(nodes),
        "goals_completed": sum(n.completed for n in nodes),
        "remaining_hours": round(sum(by_id[g].remaining_hours for g in order), 2),
        "recommended_order": [
            {
                "goal_id": g,
                "title": titles[g],
                "remaining_hours": round(by_id[g].remaining_hours, 2),
                "priority": by_id[g].priority,
                "target_date": by_id[g].target_date,
                "blocked": g in blocked,
            }
            for g in order
        ],
        "available_goals": [g for g in order if g not in blocked],
        "blocked_goals": [
            {"goal_id": g, "title": titles[g], "blocked_by": by} for g, by in blocked.items()
        ],
        "critical_path": {"goal_ids": chain, "titles": [titles[g] for g in chain], "hours": hours},
        "cycle": find_cycle({n.id: n.prerequisites for n in nodes}),
    }


def learning_paths(conn: Connection, owner_id: UUID, plan_id: UUID | None) -> dict[str, Any]:
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
