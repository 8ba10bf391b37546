"""FSRS through the `fsrs` package, kept pure: fuzzing off, every time passed in.

Quality 0-2 is Again, 3 Hard, 4 Good, 5 Easy. The package wants timezone-aware
UTC datetimes, so every time is normalised before it goes in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from fsrs import Card, Rating, Scheduler, State

NAME = "fsrs"
LEARNING = int(State.Learning)


@dataclass(frozen=True)
class FsrsState:
    state: int = LEARNING
    step: int | None = 0
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None


@lru_cache(maxsize=1)
def scheduler() -> Scheduler:
    # Fuzzing draws random numbers: off, so the same history always gives the same schedule.
    return Scheduler(enable_fuzzing=False)


@lru_cache(maxsize=1)
def _parameters() -> dict[str, Any]:
    return dict(scheduler().to_dict())


def parameters() -> dict[str, Any]:
    """The scheduler's settings, as stored with every review it schedules."""
    return dict(_parameters())


def rating_for(quality: int) -> Rating:
    if not 0 <= quality <= 5:
        raise ValueError(f"quality must be 0..5, not {quality}")
    if quality <= 2:
        return Rating.Again
    return {3: Rating.Hard, 4: Rating.Good, 5: Rating.Easy}[quality]


def utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(UTC)


def to_card(state: FsrsState, default_due: datetime) -> Card:
    return Card(
        card_id=0,
        state=State(state.state),
        step=state.step,
        stability=state.stability,
        difficulty=state.difficulty,
        due=utc(state.due or default_due),
        last_review=utc(state.last_review) if state.last_review else None,
    )


def from_card(card: Card) -> FsrsState:
    return FsrsState(
        state=int(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )


def review(state: FsrsState, quality: int, at: datetime) -> FsrsState:
    """The state after a review of the given quality at `at`."""
    card, _log = scheduler().review_card(to_card(state, at), rating_for(quality), utc(at))
    return from_card(card)


def retrievability(state: FsrsState, at: datetime) -> float:
    """Predicted probability of recall at `at` (0 before the first review)."""
    return float(scheduler().get_card_retrievability(to_card(state, at), utc(at)))
