"""SM-2 by parameter tables: every quality, the 1 / 6 / round(I x EF) intervals, the floor."""

from __future__ import annotations

import pytest

from aksio.aggregates.flashcards.sm2 import Sm2State, is_success, next_ease, review

FRESH = Sm2State()


@pytest.mark.parametrize(
    ("quality", "interval", "ease", "repetitions"),
    [
        (0, 1, 1.7, 0),
        (1, 1, 1.96, 0),
        (2, 1, 2.18, 0),
        (3, 1, 2.36, 1),
        (4, 1, 2.5, 1),
        (5, 1, 2.6, 1),
    ],
)
def test_first_review_of_each_quality(quality: int, interval: int, ease: float, repetitions: int):
    assert review(FRESH, quality) == Sm2State(interval, pytest.approx(ease), repetitions)


@pytest.mark.parametrize(
    ("before", "quality", "after"),
    [
        # repetitions 1 -> 6 days, whatever the ease
        (Sm2State(1, 2.5, 1), 4, Sm2State(6, 2.5, 2)),
        (Sm2State(1, 2.5, 1), 3, Sm2State(6, 2.36, 2)),
        (Sm2State(1, 2.5, 1), 5, Sm2State(6, 2.6, 2)),
        # then round(previous interval x NEW ease): 6 x 2.36 = 14.16, not 6 x 2.5
        (Sm2State(6, 2.5, 2), 3, Sm2State(14, 2.36, 3)),
        (Sm2State(6, 2.5, 2), 4, Sm2State(15, 2.5, 3)),
        (Sm2State(6, 2.5, 2), 5, Sm2State(16, 2.6, 3)),
        (Sm2State(15, 2.5, 3), 4, Sm2State(38, 2.5, 4)),
        # lapses: repetitions back to 0, one day, the ease still moves
        (Sm2State(38, 2.5, 4), 2, Sm2State(1, 2.18, 0)),
        (Sm2State(38, 2.5, 4), 0, Sm2State(1, 1.7, 0)),
        (Sm2State(1, 2.18, 0), 4, Sm2State(1, 2.18, 1)),
        # the 1.3 floor
        (Sm2State(10, 1.4, 3), 3, Sm2State(13, 1.3, 4)),
        (Sm2State(1, 1.3, 0), 0, Sm2State(1, 1.3, 0)),
        (Sm2State(20, 1.3, 5), 5, Sm2State(28, 1.4, 6)),
    ],
)
def test_transition(before: Sm2State, quality: int, after: Sm2State):
    got = review(before, quality)
    assert (got.interval_days, got.repetitions) == (after.interval_days, after.repetitions)
    assert got.ease_factor == pytest.approx(after.ease_factor)


@pytest.mark.parametrize(
    ("ease", "quality", "expected"),
    [
        (2.5, 5, 2.6),
        (2.5, 4, 2.5),
        (2.5, 3, 2.36),
        (2.5, 2, 2.18),
        (2.5, 1, 1.96),
        (2.5, 0, 1.7),
        (1.5, 0, 1.3),
        (1.3, 3, 1.3),
        (1.44, 3, 1.3),
        (1.46, 3, 1.32),
    ],
)
def test_ease_formula_and_floor(ease: float, quality: int, expected: float):
    assert next_ease(ease, quality) == pytest.approx(expected)


@pytest.mark.parametrize(("quality", "success"), [(0, False), (2, False), (3, True), (5, True)])
def test_three_or_more_is_a_success(quality: int, success: bool):
    assert is_success(quality) is success


@pytest.mark.parametrize("quality", [-1, 6, 7])
def test_quality_outside_zero_to_five_is_refused(quality: int):
    with pytest.raises(ValueError):
        review(FRESH, quality)


def test_a_long_run_of_perfect_answers_grows_geometrically():
    state = FRESH
    intervals = []
    for _ in range(6):
        state = review(state, 5)
        intervals.append(state.interval_days)
    assert intervals == [1, 6, 17, 49, 147, 456]
    assert state.ease_factor == pytest.approx(3.1)
