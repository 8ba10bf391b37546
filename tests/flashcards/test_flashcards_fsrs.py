"""The FSRS adapter: the rating mapping, determinism, UTC handling, and agreement with `fsrs`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from fsrs import Card, Rating, Scheduler

from aksio.aggregates.flashcards import fsrs_adapter
from aksio.aggregates.flashcards.fsrs_adapter import FsrsState

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("quality", "rating"),
    [
        (0, Rating.Again),
        (1, Rating.Again),
        (2, Rating.Again),
        (3, Rating.Hard),
        (4, Rating.Good),
        (5, Rating.Easy),
    ],
)
def test_quality_maps_to_rating(quality: int, rating: Rating):
    assert fsrs_adapter.rating_for(quality) == rating


@pytest.mark.parametrize("quality", [-1, 6])
def test_quality_outside_range_has_no_rating(quality: int):
    with pytest.raises(ValueError):
        fsrs_adapter.rating_for(quality)


@pytest.mark.parametrize(
    ("quality", "due_after", "state"),
    [
        (0, timedelta(minutes=1), 1),  # Again: first learning step
        (3, timedelta(minutes=5.5), 1),  # Hard: between the two steps
        (4, timedelta(minutes=10), 1),  # Good: the second step
        (5, timedelta(days=8), 2),  # Easy: straight to review
    ],
)
def test_first_review_of_a_new_card(quality: int, due_after: timedelta, state: int):
    after = fsrs_adapter.review(FsrsState(), quality, T0)
    assert after.due == T0 + due_after
    assert after.state == state
    assert after.last_review == T0
    initial = Scheduler().parameters[fsrs_adapter.rating_for(quality) - 1]
    assert after.stability == pytest.approx(initial)


def _replay(qualities_and_times: list[tuple[int, datetime]]) -> FsrsState:
    state = FsrsState()
    for quality, at in qualities_and_times:
        state = fsrs_adapter.review(state, quality, at)
    return state


def test_agrees_with_the_package_and_is_deterministic():
    history = [
        (4, T0),
        (4, T0 + timedelta(minutes=10)),
        (3, T0 + timedelta(days=3)),
        (1, T0 + timedelta(days=20)),
        (5, T0 + timedelta(days=21)),
    ]
    ours = _replay(history)
    scheduler, card = Scheduler(enable_fuzzing=False), Card(card_id=1, due=T0)
    for quality, at in history:
        card, _ = scheduler.review_card(card, fsrs_adapter.rating_for(quality), at)
    assert (ours.stability, ours.difficulty, ours.state, ours.step, ours.due) == (
        card.stability,
        card.difficulty,
        int(card.state),
        card.step,
        card.due,
    )
    assert _replay(history) == ours


def test_any_utc_offset_is_accepted_and_naive_times_are_not():
    oslo = timezone(timedelta(hours=2))
    after = fsrs_adapter.review(FsrsState(), 4, T0.astimezone(oslo))
    assert after.due == T0 + timedelta(minutes=10)
    with pytest.raises(ValueError):
        fsrs_adapter.review(FsrsState(), 4, T0.replace(tzinfo=None))


def test_retrievability_falls_with_time():
    state = _replay([(5, T0)])
    now = fsrs_adapter.retrievability(state, T0)
    later = fsrs_adapter.retrievability(state, T0 + timedelta(days=8))
    much_later = fsrs_adapter.retrievability(state, T0 + timedelta(days=80))
    assert now == pytest.approx(1.0)
    assert 0.85 < later < 0.95  # scheduled at the desired retention of 0.9
    assert much_later < later
    assert fsrs_adapter.retrievability(FsrsState(), T0) == 0.0
