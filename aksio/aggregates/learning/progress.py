"""How far a study plan is, and how far it should be by today.

Completion weighs each goal by its estimated hours (by count when no goal has
an estimate). The expected completion is the share of the plan's days that
have passed before today; a plan more than `TOLERANCE` points behind it is
`behind`, more than `TOLERANCE` ahead is `ahead`. The plan's last day is its
end date, else the day before its course's exam.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from aksio.aggregates.learning.scheduling import plan_horizon, remaining_hours

TOLERANCE = 10.0
PRIORITY_NAMES = {1: "high", 2: "medium", 3: "medium", 4: "low", 5: "low"}


def priority_name(priority: int) -> str:
    return PRIORITY_NAMES.get(priority, "medium")


def goal_figures(goal: Mapping[str, Any], today: date) -> dict[str, Any]:
    """One goal's progress, its hours (estimated, remaining, spent) and whether it is overdue."""
    progress = float(goal["progress_percentage"])
    estimated = float(goal["estimated_hours"])
    target = goal.get("target_date")
    done = goal["status"] == "completed"
    return {
        "goal_id": goal["id"],
        "title": goal["title"],
        "status": goal["status"],
        "priority": goal["priority"],
        "target_date": target,
        "progress_percentage": round(progress, 1),
        "estimated_hours": round(estimated, 2),
        "remaining_hours": round(0.0 if done else remaining_hours(estimated, progress), 2),
        "hours_spent": round(goal["seconds_spent"] / 3600, 2),
        "overdue": bool(target and not done and target < today),
        "prerequisites": list(goal.get("prerequisites") or []),
    }


def _completion(goals: Sequence[Mapping[str, Any]]) -> float:
    if not goals:
        return 0.0
    total = float(sum(g["estimated_hours"] for g in goals))
    if total > 0:
        done = sum(float(g["estimated_hours"]) * float(g["progress_percentage"]) for g in goals)
        return done / total
    return 100 * sum(1 for g in goals if g["status"] == "completed") / len(goals)


def _days(start: date | None, end: date | None, today: date) -> dict[str, Any]:
    if start is None or end is None:
        return {
            "days_total": None,
            "days_elapsed": None,
            "days_remaining": None,
            "expected_percentage": None,
        }
    total = max(1, (end - start).days + 1)
    elapsed = min(max((today - start).days, 0), total)
    return {
        "days_total": total,
        "days_elapsed": elapsed,
        "days_remaining": max(0, (end - max(today, start)).days + 1),
        "expected_percentage": round(100 * elapsed / total, 1),
    }


def _status(goals: Sequence[Mapping[str, Any]], figures: Mapping[str, Any], today: date) -> str:
    if not goals:
        return "no_goals"
    if all(g["status"] == "completed" for g in goals):
        return "completed"
    expected = figures["expected_percentage"]
    if expected is None:
        return "no_deadline"
    if figures["start_date"] is not None and today < figures["start_date"]:
        return "not_started"
    gap = figures["completion_percentage"] - expected
    return "behind" if gap < -TOLERANCE else "ahead" if gap > TOLERANCE else "on_track"


def plan_figures(
    plan: Mapping[str, Any],
    goals: Sequence[Mapping[str, Any]],
    today: date,
    exam_date: date | None,
) -> dict[str, Any]:
    """The plan's progress against its dates (without sessions, which the caller adds)."""
    end, source = plan_horizon(plan.get("end_date"), exam_date)
    start = plan.get("start_date")
    views = [goal_figures(g, today) for g in goals]
    remaining = sum(v["remaining_hours"] for v in views)
    figures: dict[str, Any] = {
        "plan_id": plan["id"],
        "title": plan["title"],
        "status": plan["status"],
        "today": today,
        "start_date": start,
        "end_date": end,
        "deadline_source": source,
        **_days(start, end, today),
        "goals_total": len(goals),
        "goals_completed": sum(g["status"] == "completed" for g in goals),
        "goals_in_progress": sum(g["status"] == "in_progress" for g in goals),
        "goals_not_started": sum(g["status"] == "not_started" for g in goals),
        "goals_overdue": sum(v["overdue"] for v in views),
        "estimated_hours": round(sum(v["estimated_hours"] for v in views), 2),
        "remaining_hours": round(remaining, 2),
        "completion_percentage": round(_completion(goals), 1),
        "goals": views,
    }
    figures["completed_hours"] = round(figures["estimated_hours"] - remaining, 2)
    days_left = figures["days_remaining"]
    figures["required_hours_per_week"] = round(7 * remaining / days_left, 2) if days_left else None
    figures["schedule_status"] = _status(goals, figures, today)
    return figures
