"""A card's whole scheduling state, and one review's decision over it.

Both schedulers' states are kept current on every review, so a card can change
scheduler at any time; the chosen one sets `next_review_date`. The state is
stored in events as plain JSON (`to_dict`), so it reads the same in every store.
A state records the rules it was decided under (`sm2_rules`, `fsrs_basis`); one decided
under other rules is recomputed from the card's reviews (`rebuild`) before the next review,
so a history is reinterpreted by replay and never rewritten.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from typing import Any, Literal, get_args

from aksio.aggregates.flashcards import fsrs_adapter, sm2
from aksio.aggregates.flashcards.fsrs_adapter import DEFAULT, FsrsSettings, FsrsState
from aksio.aggregates.flashcards.sm2 import Sm2State

Scheduler = Literal["sm2", "fsrs"]
SCHEDULERS: tuple[Scheduler, ...] = get_args(Scheduler)
Mastery = Literal["new", "learning", "difficult", "mastered"]
MASTERY_LEVELS: tuple[Mastery, ...] = get_args(Mastery)
_TIMES = ("next_review_date", "fsrs_due", "last_reviewed_at")
# 1: every review moved SM-2 (states stored before drills); 2: same-day repeats are drills.
SM2_RULES = 2


@dataclass(frozen=True)
class Schedule:
    next_review_date: datetime
    scheduler: str = "sm2"
    interval_days: int = 0
    ease_factor: float = sm2.INITIAL_EASE
    repetitions: int = 0
    sm2_interval_days: int = 0
    fsrs_state: int = fsrs_adapter.LEARNING
    fsrs_step: int | None = 0
    fsrs_stability: float | None = None
    fsrs_difficulty: float | None = None
    fsrs_due: datetime | None = None
    last_reviewed_at: datetime | None = None
    total_reviews: int = 0
    successes: int = 0
    lapses: int = 0
    # Defaults describe states stored before these fields existed.
    sm2_rules: int = 1
    fsrs_basis: str | None = None

    @property
    def success_rate(self) -> float:
        return self.successes / self.total_reviews if self.total_reviews else 0.0

    @property
    def sm2(self) -> Sm2State:
        return Sm2State(self.sm2_interval_days, self.ease_factor, self.repetitions)

    @property
    def fsrs(self) -> FsrsState:
        return FsrsState(
            state=self.fsrs_state,
            step=self.fsrs_step,
            stability=self.fsrs_stability,
            difficulty=self.fsrs_difficulty,
            due=self.fsrs_due,
            last_review=self.last_reviewed_at,
        )

    def to_dict(self) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in _FIELDS}  # every field is flat
        for name in _TIMES:
            data[name] = data[name].isoformat() if data[name] is not None else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Schedule:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        for name in _TIMES:
            if known.get(name) is not None:
                known[name] = datetime.fromisoformat(known[name])
        return cls(**known)


_FIELDS = tuple(field.name for field in fields(Schedule))


def new_schedule(created_at: datetime, scheduler: str, fsrs: FsrsSettings = DEFAULT) -> Schedule:
    """A new card is due at once."""
    return Schedule(
        next_review_date=created_at,
        scheduler=scheduler,
        sm2_rules=SM2_RULES,
        fsrs_basis=fsrs.basis,
    )


def is_current(schedule: Schedule, fsrs: FsrsSettings) -> bool:
    """Whether the state was decided under today's SM-2 rules and these FSRS parameters."""
    return schedule.sm2_rules == SM2_RULES and schedule.fsrs_basis == fsrs.basis


def rebuild(
    created_at: datetime,
    reviews: Iterable[tuple[int, datetime]],
    scheduler: str,
    fsrs: FsrsSettings,
) -> Schedule:
    """The state a new card reaches through `reviews` (quality, time) under today's rules."""
    state = new_schedule(created_at, scheduler, fsrs)
    for quality, at in reviews:
        state = review(state, quality, at, scheduler, fsrs)
    return state


def _next_date(
    schedule: Schedule, after: sm2.Sm2State, drill: bool, at: datetime
) -> tuple[datetime, int]:
    if drill and schedule.scheduler == "sm2":
        # A drill leaves the date the day's first review set.
        return schedule.next_review_date, after.interval_days
    return at + timedelta(days=after.interval_days), after.interval_days


def review(
    schedule: Schedule,
    quality: int,
    at: datetime,
    scheduler: str,
    fsrs: FsrsSettings = DEFAULT,
) -> Schedule:
    """The schedule after a review of `quality` at `at`, `scheduler` setting the next date."""
    if scheduler not in SCHEDULERS:
        raise ValueError(f"unknown scheduler {scheduler!r}")
    drill = sm2.is_drill(schedule.last_reviewed_at, at)
    after_sm2 = schedule.sm2 if drill else sm2.review(schedule.sm2, quality)
    # FSRS keeps its own short-term handling (learning steps, same-day stability).
    after_fsrs = fsrs_adapter.review(schedule.fsrs, quality, at, fsrs)
    success = sm2.is_success(quality)
    if scheduler == "fsrs":
        assert after_fsrs.due is not None
        next_date, interval = after_fsrs.due, (after_fsrs.due - at).days
    else:
        next_date, interval = _next_date(schedule, after_sm2, drill, at)
    return replace(
        schedule,
        next_review_date=next_date,
        scheduler=scheduler,
        interval_days=interval,
        ease_factor=after_sm2.ease_factor,
        repetitions=after_sm2.repetitions,
        sm2_interval_days=after_sm2.interval_days,
        fsrs_state=after_fsrs.state,
        fsrs_step=after_fsrs.step,
        fsrs_stability=after_fsrs.stability,
        fsrs_difficulty=after_fsrs.difficulty,
        fsrs_due=after_fsrs.due,
        last_reviewed_at=at,
        total_reviews=schedule.total_reviews + 1,
        successes=schedule.successes + int(success),
        lapses=schedule.lapses + int(not success and schedule.total_reviews > 0),
        sm2_rules=SM2_RULES,
        fsrs_basis=fsrs.basis,
    )


def scheduler_parameters(scheduler: str, fsrs: FsrsSettings = DEFAULT) -> dict[str, Any]:
    return fsrs_adapter.parameters(fsrs) if scheduler == "fsrs" else dict(sm2.PARAMETERS)


def mastery(total_reviews: int, interval_days: int, ease_factor: float, success_rate: float) -> str:
    """new (never reviewed), mastered (interval >= 21 days), difficult, else learning."""
    if total_reviews == 0:
        return "new"
    if interval_days >= 21:
        return "mastered"
    if ease_factor < 2.0 or (total_reviews >= 3 and success_rate < 0.6):
        return "difficult"
    return "learning"
