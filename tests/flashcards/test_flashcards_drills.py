"""SM-2 step 7: repeats within a day of the previous review are drills that do not reschedule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from aksio.aggregates.flashcards import sm2
from aksio.aggregates.flashcards.evaluation import ReviewRecord, log_loss, predictions
from aksio.aggregates.flashcards.flashcard import Flashcard
from aksio.aggregates.flashcards.review_log import parse_review_log
from aksio.aggregates.flashcards.schedule import Schedule, new_schedule, review

T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
REVIEW_LOG = Path(__file__).resolve().parents[1] / "data/fsrs-review-logs/review_logs.csv"


def hours(n: float) -> datetime:
    return T0 + timedelta(hours=n)


@pytest.mark.parametrize(
    ("previous", "at", "drill"),
    [
        (None, hours(0), False),  # a card's first review always schedules
        (hours(0), hours(0.1), True),
        (hours(0), hours(23.99), True),
        (hours(0), hours(24), False),  # exactly a day later is a new day's review
        (hours(0), hours(72), False),
    ],
)
def test_is_drill(previous: datetime | None, at: datetime, drill: bool):
    assert sm2.is_drill(previous, at) is drill


@pytest.mark.parametrize(
    ("reviews", "interval", "repetitions", "ease", "due_after_hours", "total"),
    [
        # fail, then pass ten minutes later: still one day from the failure, repetitions 0
        ([(0, 2), (0.2, 4)], 1, 0, 2.18, 24, 2),
        # pass, pass, then a same-day fail and pass: 6 days from the day's first review stand
        ([(0, 4), (24, 4), (24.5, 1), (24.7, 5)], 6, 2, 2.5, 24 + 144, 4),
        # a day's first review fails after days of passes; the drill pass does not restart
        ([(0, 4), (24, 4), (168, 0), (168.3, 4)], 1, 0, 1.7, 168 + 24, 4),
        # drills do not chain into a new day: 23 h, then another 23 h, both drills
        ([(0, 4), (23, 4), (46, 4)], 1, 1, 2.5, 24, 3),
        # without repeats every review schedules as before
        ([(0, 4), (24, 4), (168, 4)], 15, 3, 2.5, 168 + 360, 3),
    ],
)
def test_only_the_first_review_of_a_day_moves_sm2(
    reviews: list[tuple[float, int]],
    interval: int,
    repetitions: int,
    ease: float,
    due_after_hours: float,
    total: int,
):
    state = new_schedule(T0, "sm2")
    for at, quality in reviews:
        state = review(state, quality, hours(at), "sm2")
    assert (state.interval_days, state.repetitions) == (interval, repetitions)
    assert state.ease_factor == pytest.approx(ease)
    assert state.next_review_date == hours(due_after_hours)
    assert state.total_reviews == total  # drills still count as reviews
    assert state.last_reviewed_at == hours(reviews[-1][0])


def test_a_drill_still_counts_its_failure_and_moves_fsrs():
    state = review(new_schedule(T0, "sm2"), 4, hours(0), "sm2")
    drilled = review(state, 1, hours(0.5), "sm2")
    assert (drilled.successes, drilled.lapses, drilled.total_reviews) == (1, 1, 2)
    assert drilled.sm2 == state.sm2
    assert drilled.fsrs_stability != state.fsrs_stability


def _reviewed(card: Flashcard, quality: int, at: datetime) -> Any:
    card.review(quality, reviewed_at=at, recorded_at=at, scheduler="sm2")
    (event,) = card.collect_events()
    return event


def test_a_card_decided_under_the_old_rule_is_replayed_under_the_new_one():
    card = Flashcard.create(uuid4(), {"question": "q", "answer": "a"}, now=T0, scheduler="sm2")
    card.collect_events()
    for at, quality in [(0, 4), (0.2, 4), (25, 4)]:
        _reviewed(card, quality, hours(at))
    # As stored before drills existed: the same-day repeat had moved SM-2 a step ahead.
    old = {**card.schedule.to_dict(), "interval_days": 15, "sm2_interval_days": 15}
    old.update(repetitions=3, next_review_date=hours(25 + 360).isoformat())
    del old["sm2_rules"]
    card.schedule = Schedule.from_dict(old)
    assert card.schedule.sm2_rules == 1
    event = _reviewed(card, 4, hours(25 + 144))
    after = Schedule.from_dict(event.after)
    assert Schedule.from_dict(event.before) == Schedule.from_dict(old)
    assert (after.sm2_interval_days, after.repetitions, after.total_reviews) == (15, 3, 4)
    assert after.sm2_rules == 2


def test_sm2_on_the_published_review_log_scores_as_the_independent_replay():
    cards = parse_review_log(REVIEW_LOG.read_bytes())
    records = [
        ReviewRecord(c.external_id, r.reviewed_at, r.quality) for c in cards for r in c.reviews
    ]
    preds = predictions(records, "sm2")
    assert len(preds) == 5329
    loss = log_loss(preds)
    assert loss is not None and round(loss, 3) == 0.547  # 0.6116 when drills rescheduled
