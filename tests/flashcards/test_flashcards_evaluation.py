"""Scheduler evaluation: the replay's scoring rule and the three figures, by hand-worked cases."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Card, Scheduler

from aksio.aggregates.flashcards import fsrs_adapter
from aksio.aggregates.flashcards.evaluation import (
    Prediction,
    ReviewRecord,
    auc,
    evaluate,
    log_loss,
    predictions,
    rmse_bins,
)

T0 = datetime(2024, 4, 1, 7, 30, tzinfo=UTC)


def at(days: float) -> datetime:
    return T0 + timedelta(days=days)


# card "a": Good, Good a day later, Good 9 days after that, Hard 2 hours later (not scored),
# Again 20 days later. Card "b": a single review (nothing to predict).
HISTORY = [
    ReviewRecord("a", at(0), 4),
    ReviewRecord("a", at(1), 4),
    ReviewRecord("a", at(10), 4),
    ReviewRecord("a", at(10.1), 3),
    ReviewRecord("a", at(30.1), 2),
    ReviewRecord("b", at(3), 1),
]


def test_only_reviews_a_day_after_the_previous_are_scored_from_earlier_reviews_only():
    preds = predictions(list(reversed(HISTORY)), "sm2")  # input order does not matter
    assert [(p.elapsed_days, p.review_number, p.y) for p in preds] == [
        (1, 2, 1),
        (9, 3, 1),
        (20, 5, 0),
    ]
    # SM-2 had scheduled 1 day, then 6 days, then 15; the Hard 2 hours after that was a drill
    # that left the 15 days as they were.
    assert [p.p for p in preds] == pytest.approx([0.9, 0.9 ** (9 / 6), 0.9 ** (20 / 15)])
    assert all(p.lapses == 0 for p in preds)


def test_fsrs_predictions_are_the_package_retrievability_of_the_replayed_card():
    preds = predictions(HISTORY, "fsrs")
    scheduler, card, expected = Scheduler(enable_fuzzing=False), Card(card_id=1, due=T0), []
    for record in [r for r in HISTORY if r.card == "a"]:
        if card.last_review is not None and (record.at - card.last_review).days >= 1:
            expected.append(scheduler.get_card_retrievability(card, record.at))
        card, _ = scheduler.review_card(card, fsrs_adapter.rating_for(record.quality), record.at)
    assert [p.p for p in preds] == pytest.approx(expected)
    assert len(expected) == 3


def test_lapses_count_earlier_scored_failures():
    history = [ReviewRecord("c", at(d), q) for d, q in [(0, 4), (2, 1), (4, 1), (6, 4), (8, 4)]]
    assert [p.lapses for p in predictions(history, "sm2")] == [0, 1, 2, 2]


def test_log_loss_clips_certain_mistakes():
    preds = [Prediction(0.8, 1, 1, 2, 0), Prediction(0.4, 0, 1, 2, 0)]
    assert log_loss(preds) == pytest.approx((-math.log(0.8) - math.log(0.6)) / 2)
    assert log_loss([Prediction(1.0, 0, 1, 2, 0)]) == pytest.approx(-math.log(1e-6))
    assert log_loss([]) is None


def test_auc_is_rank_based_with_ties_counted_half():
    preds = [Prediction(p, y, 1, 2, 0) for p, y in [(0.2, 0), (0.5, 1), (0.5, 0), (0.9, 1)]]
    assert auc(preds) == pytest.approx(3.5 / 4)
    assert auc([Prediction(0.3, 1, 1, 2, 0), Prediction(0.7, 0, 1, 2, 0)]) == 0.0
    assert auc([Prediction(0.3, 1, 1, 2, 0)]) is None  # one class only


def test_rmse_bins_weights_each_bin_by_its_size():
    same_bin = [Prediction(0.9, 1, 3, 2, 0), Prediction(0.7, 0, 3, 2, 0)]
    assert rmse_bins(same_bin) == pytest.approx(abs(0.8 - 0.5))  # errors cancel within a bin
    # elapsed 3 and 30 days fall in different log-scale bins
    apart = [Prediction(0.9, 1, 3, 2, 0), Prediction(0.7, 0, 30, 2, 0)]
    assert rmse_bins(apart) == pytest.approx(math.sqrt((0.1**2 + 0.7**2) / 2))
    assert rmse_bins([]) is None


def test_evaluate_puts_both_schedulers_side_by_side():
    result = evaluate(HISTORY, "fsrs")
    assert [r["scheduler"] for r in result["results"]] == ["sm2", "fsrs"]
    fsrs_figures = result["results"][1]
    assert {k: result[k] for k in fsrs_figures} == fsrs_figures
    assert result["reviews_scored"] == 3
    empty = evaluate([], "sm2")
    assert (empty["reviews_scored"], empty["log_loss"], empty["auc"]) == (0, None, None)
