"""Planning a generation: how many items of each difficulty, adapted to the learner's results.

A requested level spreads items around it (`medium`: a quarter easy, half
medium, a quarter hard). With `use_adaptive`, a learner who succeeds at 80% or
more of their reviews and quizzes in the course gets the next level up, one
under 60% the next level down, and the topics of their difficult cards become
focus areas.
"""

from __future__ import annotations

from typing import Any

from aksio.aggregates.flashcards.flashcard import DIFFICULTIES, Difficulty

SPREAD: dict[Difficulty, tuple[float, float, float]] = {
    "easy": (0.6, 0.3, 0.1),
    "medium": (0.25, 0.5, 0.25),
    "hard": (0.1, 0.3, 0.6),
}
HIGH, LOW = 0.8, 0.6


def mix(count: int, level: Difficulty) -> dict[Difficulty, int]:
    """`count` items split by the level's spread, rounding by largest remainder."""
    exact = {d: share * count for d, share in zip(DIFFICULTIES, SPREAD[level], strict=True)}
    counts = {d: int(exact[d]) for d in DIFFICULTIES}
    for d in sorted(DIFFICULTIES, key=lambda d: -(exact[d] - counts[d]))[
        : count - sum(counts.values())
    ]:
        counts[d] += 1
    return counts


def adapt(level: Difficulty, performance: dict[str, Any]) -> tuple[Difficulty, dict[str, Any]]:
    """The level to generate at, and what was adjusted and why."""
    signals = [
        float(performance[k])
        for k in ("card_success_rate", "quiz_score")
        if performance.get(k) is not None
    ]
    focus = [str(t).replace("_", " ") for t in performance.get("weak_topics") or []]
    report: dict[str, Any] = {
        "applied": bool(signals),
        "difficulty_increased": False,
        "difficulty_decreased": False,
        "requested_difficulty": level,
        "difficulty_level": level,
        "focus_areas": focus,
        "cards_reviewed": performance.get("cards_reviewed", 0),
        "quizzes_completed": performance.get("quizzes_completed", 0),
    }
    if not signals:
        report["reason"] = "No reviewed cards or completed quizzes in this course yet."
        return level, report
    success = sum(signals) / len(signals)
    report["success_rate"] = round(success, 3)
    index = DIFFICULTIES.index(level)
    if success >= HIGH and index < 2:
        level, report["difficulty_increased"] = DIFFICULTIES[index + 1], True
        report["reason"] = f"Success rate {success:.0%} is at least {HIGH:.0%}."
    elif success < LOW and index > 0:
        level, report["difficulty_decreased"] = DIFFICULTIES[index - 1], True
        report["reason"] = f"Success rate {success:.0%} is under {LOW:.0%}."
    else:
        report["reason"] = f"Success rate {success:.0%} suits the requested level."
    report["difficulty_level"] = level
    return level, report
