"""FSRS through the `fsrs` package, kept pure: fuzzing off, every time passed in.

Quality 0-2 is Again, 3 Hard, 4 Good, 5 Easy. The package wants timezone-aware
UTC datetimes, so every time is normalised before it goes in. `FsrsSettings` carries a
learner's fitted parameters (None: the package defaults) and desired retention; the
parameters shape the memory state, the retention only the next due date.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from fsrs import Card, Rating, Scheduler, State

from aksio.core.errors import ValidationFailed

NAME = "fsrs"
LEARNING = int(State.Learning)
DEFAULT_RETENTION = 0.9
MIN_RETENTION, MAX_RETENTION = 0.70, 0.97
PARAMETER_COUNT = 21


@dataclass(frozen=True)
class FsrsSettings:
    parameters: tuple[float, ...] | None = None
    desired_retention: float = DEFAULT_RETENTION

    @classmethod
    def of(cls, parameters: Sequence[float] | None, retention: float | None) -> FsrsSettings:
        chosen = tuple(float(w) for w in parameters) if parameters else None
        return cls(chosen, DEFAULT_RETENTION if retention is None else float(retention))

    @property
    def basis(self) -> str | None:
        """Names the parameters a memory state was computed with (None: the defaults)."""
        if self.parameters is None:
            return None
        text = json.dumps([round(w, 6) for w in self.parameters])
        return hashlib.sha256(text.encode()).hexdigest()[:16]


DEFAULT = FsrsSettings()


def check_retention(field: str, value: Any) -> None:
    """Refuses a desired retention outside 0.70..0.97 (None leaves the choice to others)."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationFailed.field(field, "Must be a number.")
    if not MIN_RETENTION <= value <= MAX_RETENTION:
        raise ValidationFailed.field(field, "Must be from 0.70 to 0.97.")


def check_parameters(values: Sequence[float]) -> tuple[float, ...]:
    """FSRS-6 weights: 21 finite numbers."""
    if len(values) != PARAMETER_COUNT or not all(math.isfinite(w) for w in values):
        raise ValidationFailed.field("parameters", f"Must be {PARAMETER_COUNT} finite numbers.")
    return tuple(float(w) for w in values)


@dataclass(frozen=True)
class FsrsState:
    state: int = LEARNING
    step: int | None = 0
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None


@lru_cache(maxsize=256)
def scheduler(settings: FsrsSettings = DEFAULT) -> Scheduler:
    # Fuzzing draws random numbers: off, so the same history always gives the same schedule.
    if settings.parameters is None:
        return Scheduler(desired_retention=settings.desired_retention, enable_fuzzing=False)
    return Scheduler(
        parameters=settings.parameters,
        desired_retention=settings.desired_retention,
        enable_fuzzing=False,
    )


@lru_cache(maxsize=256)
def _parameters(settings: FsrsSettings) -> dict[str, Any]:
    return dict(scheduler(settings).to_dict())


def parameters(settings: FsrsSettings = DEFAULT) -> dict[str, Any]:
    """The scheduler's settings, as stored with every review it schedules."""
    return dict(_parameters(settings))


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


def review(
    state: FsrsState, quality: int, at: datetime, settings: FsrsSettings = DEFAULT
) -> FsrsState:
    """The state after a review of the given quality at `at`."""
    chosen = scheduler(settings)
    card, _log = chosen.review_card(to_card(state, at), rating_for(quality), utc(at))
    return from_card(card)


def retrievability(state: FsrsState, at: datetime, settings: FsrsSettings = DEFAULT) -> float:
    """Predicted probability of recall at `at` (0 before the first review)."""
    return float(scheduler(settings).get_card_retrievability(to_card(state, at), utc(at)))
