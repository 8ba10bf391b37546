"""Recommendations for a study plan, each with the figures that triggered it.

Rules (thresholds are constants below):
- schedule: the plan is `behind` (see `progress`: over 10 points below the expected share);
- deadline: unfinished goals past their target date;
- performance: goals that took `STRUGGLE_RATIO` times the hours their progress
  justifies (and at least `MIN_STRUGGLE_HOURS`);
- flashcards: `FLASHCARD_BACKLOG` or more cards due in the plan's course;
- quiz: a goal concept answered `MIN_ANSWERS`+ times with under `WEAK_ACCURACY` % right;
- consistency: no completed session of the plan for `IDLE_DAYS` days.
High priority first, then in the order above.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

STRUGGLE_RATIO = 1.5
MIN_STRUGGLE_HOURS = 1.0
FLASHCARD_BACKLOG = 20
WEAK_ACCURACY = 60.0
MIN_ANSWERS = 3
IDLE_DAYS = 7
RANK = {"high": 0, "medium": 1, "low": 2}


@dataclass(frozen=True)
class Signals:
    """What the plan's figures do not hold: recent study, cards due, quiz answers."""

    order: Sequence[Any] = ()
    recent_hours_per_week: float = 0.0
    days_since_session: int | None = None
    due_flashcards: int | None = None
    concepts: Sequence[Mapping[str, Any]] = ()
    goal_concepts: Mapping[Any, Sequence[str]] = field(default_factory=dict)


def _item(kind: str, priority: str, title: str, text: str, action: str, **meta: Any) -> Any:
    return {
        "type": kind,
        "priority": priority,
        "title": title,
        "description": text,
        "action": action,
        "metadata": meta,
    }


def _behind(f: Mapping[str, Any], s: Signals) -> Any:
    if f["schedule_status"] != "behind":
        return None
    done, due = f["completion_percentage"], f["expected_percentage"]
    gap = round(due - done, 1)
    weekly = f["required_hours_per_week"] or f["remaining_hours"]
    return _item(
        "schedule",
        "high" if gap >= 25 else "medium",
        "You are behind schedule",
        f"Your completion rate is {done:.0f}% but should be {due:.0f}%",
        "increase_study_time",
        completion_percentage=done,
        expected_percentage=due,
        gap_points=gap,
        remaining_hours=f["remaining_hours"],
        days_remaining=f["days_remaining"],
        recent_hours_per_week=round(s.recent_hours_per_week, 2),
        suggested_hours=math.ceil(weekly * 2) / 2,
        focus_goals=list(s.order[:3]),
    )


def _overdue(f: Mapping[str, Any], s: Signals) -> Any:
    late = [g for g in f["goals"] if g["overdue"]]
    if not late:
        return None
    details = [
        {
            "goal_id": g["goal_id"],
            "title": g["title"],
            "target_date": g["target_date"],
            "days_overdue": (f["today"] - g["target_date"]).days,
            "progress_percentage": g["progress_percentage"],
        }
        for g in late
    ]
    return _item(
        "deadline",
        "high",
        "Some goals are past their target date",
        f"{len(late)} goal(s) passed their target date unfinished",
        "reschedule_goals",
        overdue_goals=[g["goal_id"] for g in late],
        goals=details,
    )


def _struggling(f: Mapping[str, Any], s: Signals) -> Any:
    found = []
    for g in f["goals"]:
        earned = g["estimated_hours"] * g["progress_percentage"] / 100
        spent = g["hours_spent"]
        open_goal = g["status"] != "completed"
        if open_goal and spent >= MIN_STRUGGLE_HOURS and spent >= STRUGGLE_RATIO * earned:
            found.append(
                {
                    "goal_id": g["goal_id"],
                    "title": g["title"],
                    "progress_percentage": g["progress_percentage"],
                    "hours_spent": spent,
                    "hours_earned": round(earned, 2),
                }
            )
    if not found:
        return None
    return _item(
        "performance",
        "medium",
        "Focus on challenging topics",
        "Some goals need more attention based on your progress",
        "review_materials",
        struggling_goals=[g["goal_id"] for g in found],
        goals=found,
        threshold_ratio=STRUGGLE_RATIO,
        suggested_resources=["practice_problems", "video_tutorials"],
    )


def _backlog(f: Mapping[str, Any], s: Signals) -> Any:
    due = s.due_flashcards
    if due is None or due < FLASHCARD_BACKLOG:
        return None
    return _item(
        "flashcards",
        "high" if due >= 5 * FLASHCARD_BACKLOG else "medium",
        "Review your due flashcards",
        f"{due} flashcards are due for review",
        "review_flashcards",
        due_flashcards=due,
        threshold=FLASHCARD_BACKLOG,
    )


def _weak(f: Mapping[str, Any], s: Signals) -> Any:
    weak = [c for c in s.concepts if c["answered"] >= MIN_ANSWERS and c["accuracy"] < WEAK_ACCURACY]
    if not weak:
        return None
    names = {c["concept"] for c in weak}
    goals = [g for g, concepts in s.goal_concepts.items() if names & set(concepts)]
    return _item(
        "quiz",
        "medium",
        "Practice weak concepts",
        f"Quiz answers on {', '.join(sorted(names))} are mostly wrong",
        "practice_concepts",
        concepts=list(weak),
        related_goals=goals,
        threshold_accuracy=WEAK_ACCURACY,
        min_answers=MIN_ANSWERS,
    )


def _idle(f: Mapping[str, Any], s: Signals) -> Any:
    if f["status"] != "active" or f["schedule_status"] in ("completed", "no_goals", "not_started"):
        return None
    idle = s.days_since_session
    if idle is not None and idle < IDLE_DAYS:
        return None
    text = "No study session yet" if idle is None else f"No study session for {idle} days"
    return _item(
        "consistency",
        "medium",
        "Get back to studying",
        text,
        "schedule_session",
        days_since_last_session=idle,
        threshold_days=IDLE_DAYS,
    )


RULES = (_behind, _overdue, _struggling, _backlog, _weak, _idle)


def plan_advice(figures: Mapping[str, Any], signals: Signals) -> list[dict[str, Any]]:
    found = [item for rule in RULES if (item := rule(figures, signals)) is not None]
    return sorted(found, key=lambda item: RANK[item["priority"]])
