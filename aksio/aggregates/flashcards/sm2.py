"""SuperMemo-2, as the contract states it: pure, no clock, no I/O.

Quality q runs 0..5; q >= 3 is a success. A success moves repetitions 0 -> 1 day,
1 -> 6 days, then round(previous interval x new ease); a failure resets
repetitions to 0 and the interval to 1 day. The ease moves by
0.1 - (5 - q) x (0.08 + (5 - q) x 0.02) on every review and never drops below 1.3.

Step 7 of Wozniak's SM-2 repeats the day's failed items until each scores at least 4, and
those repeats do not reschedule: a review less than `DRILL_WINDOW` (24 hours) after the
card's previous review is such a drill. It counts as a review but leaves the SM-2 state as
the first review of the day decided it. 24 hours rather than the learner's calendar day,
because imported logs carry UTC times only and the scoring replay uses the same rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

INITIAL_EASE = 2.5
MINIMUM_EASE = 1.3
FIRST_INTERVAL = 1
SECOND_INTERVAL = 6
PASSING_QUALITY = 3
DRILL_WINDOW = timedelta(days=1)
PARAMETERS: dict[str, float | int] = {
    "initial_ease": INITIAL_EASE,
    "minimum_ease": MINIMUM_EASE,
    "first_interval_days": FIRST_INTERVAL,
    "second_interval_days": SECOND_INTERVAL,
    "passing_quality": PASSING_QUALITY,
    "drill_window_hours": 24,
}


@dataclass(frozen=True)
class Sm2State:
    interval_days: int = 0
    ease_factor: float = INITIAL_EASE
    repetitions: int = 0


def is_success(quality: int) -> bool:
    return quality >= PASSING_QUALITY


def is_drill(previous_review: datetime | None, at: datetime) -> bool:
    """Whether a review at `at` repeats the card within a day of its previous review."""
    return previous_review is not None and at - previous_review < DRILL_WINDOW


def next_ease(ease: float, quality: int) -> float:
    miss = 5 - quality
    # Every step is a multiple of 0.02: rounding only removes binary noise.
    return max(MINIMUM_EASE, round(ease + (0.1 - miss * (0.08 + miss * 0.02)), 6))


def review(state: Sm2State, quality: int) -> Sm2State:
    """The state after one review of the given quality (0..5)."""
    if not 0 <= quality <= 5:
        raise ValueError(f"quality must be 0..5, not {quality}")
    ease = next_ease(state.ease_factor, quality)
    if not is_success(quality):
        return Sm2State(interval_days=FIRST_INTERVAL, ease_factor=ease, repetitions=0)
    if state.repetitions == 0:
        interval = FIRST_INTERVAL
    elif state.repetitions == 1:
        interval = SECOND_INTERVAL
    else:
        interval = round(state.interval_days * ease)
    return Sm2State(interval_days=interval, ease_factor=ease, repetitions=state.repetitions + 1)
