"""How well SM-2 and FSRS predict a learner's own recall: a pure, time-ordered replay.

Reviews are grouped by card in time order. Every review at least one whole day
after the card's previous one is predicted from the earlier reviews only:
SM-2 by p = 0.9 ** (elapsed days / the interval it had scheduled), FSRS by the
retrievability of the replayed card. The outcome is recall (rating > 1, i.e.
quality >= 3). Figures follow the open srs-benchmark: log loss, RMSE over bins
of (elapsed days, review number, lapses) and rank-based AUC.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aksio.aggregates.flashcards import fsrs_adapter, sm2
from aksio.aggregates.flashcards.fsrs_adapter import DEFAULT, FsrsSettings, FsrsState
from aksio.aggregates.flashcards.schedule import SCHEDULERS
from aksio.aggregates.flashcards.sm2 import Sm2State

EPSILON = 1e-6


@dataclass(frozen=True)
class ReviewRecord:
    card: Hashable
    at: datetime
    quality: int


@dataclass(frozen=True)
class Prediction:
    p: float
    y: int
    elapsed_days: int
    review_number: int  # 1-based position of the predicted review in its card's history
    lapses: int  # failed reviews before it, each at least a day after its predecessor


def by_card(reviews: Iterable[ReviewRecord]) -> list[list[ReviewRecord]]:
    groups: dict[Hashable, list[ReviewRecord]] = defaultdict(list)
    for record in reviews:
        groups[record.card].append(record)
    return [sorted(group, key=lambda r: r.at) for group in groups.values()]


def _replay_card(
    history: Sequence[ReviewRecord],
    scheduler: str,
    fsrs: FsrsSettings,
    scored_from: datetime | None,
) -> list[Prediction]:
    out: list[Prediction] = []
    sm2_state, fsrs_state = Sm2State(), FsrsState()
    lapses = 0
    previous: datetime | None = None
    for number, record in enumerate(history, start=1):
        recalled = int(record.quality >= sm2.PASSING_QUALITY)
        elapsed = (record.at - previous).days if previous is not None else 0
        if previous is not None and elapsed >= 1:
            if scheduler == "sm2":
                p = 0.9 ** (elapsed / max(sm2_state.interval_days, 1))
            else:
                p = fsrs_adapter.retrievability(fsrs_state, record.at, fsrs)
            if scored_from is None or record.at >= scored_from:
                out.append(Prediction(p, recalled, elapsed, number, lapses))
            lapses += 1 - recalled
        if not sm2.is_drill(previous, record.at):
            sm2_state = sm2.review(sm2_state, record.quality)
        fsrs_state = fsrs_adapter.review(fsrs_state, record.quality, record.at, fsrs)
        previous = record.at
    return out


def predictions(
    reviews: Iterable[ReviewRecord],
    scheduler: str,
    fsrs: FsrsSettings = DEFAULT,
    *,
    scored_from: datetime | None = None,
) -> list[Prediction]:
    """Every scored review's prediction by `scheduler` ("sm2" or "fsrs"); with `scored_from`,
    only those from that time on (the earlier reviews still shape the state)."""
    if scheduler not in SCHEDULERS:
        raise ValueError(f"unknown scheduler {scheduler!r}")
    return [
        p
        for history in by_card(reviews)
        for p in _replay_card(history, scheduler, fsrs, scored_from)
    ]


def log_loss(preds: Sequence[Prediction]) -> float | None:
    if not preds:
        return None
    total = 0.0
    for pred in preds:
        p = min(max(pred.p, EPSILON), 1 - EPSILON)
        total -= math.log(p) if pred.y else math.log(1 - p)
    return total / len(preds)


def _log_bin(value: float, base: float, scale: float, digits: int) -> float:
    return round(scale * base ** math.floor(math.log(value) / math.log(base)), digits)


def rmse_bins(preds: Sequence[Prediction]) -> float | None:
    """sqrt(sum over bins of n_b (mean p_b - mean y_b)^2 / N), bins as srs-benchmark draws them."""
    if not preds:
        return None
    bins: dict[tuple[float, float, float], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for pred in preds:
        key = (
            _log_bin(max(pred.elapsed_days, EPSILON), 3.62, 2.48, 2),
            _log_bin(pred.review_number, 1.89, 1.99, 0),
            _log_bin(pred.lapses, 1.73, 1.65, 0) if pred.lapses else 0.0,
        )
        acc = bins[key]
        acc[0] += 1
        acc[1] += pred.p
        acc[2] += pred.y
    squared = sum(n * (p_sum / n - y_sum / n) ** 2 for n, p_sum, y_sum in bins.values())
    return math.sqrt(squared / len(preds))


def auc(preds: Sequence[Prediction]) -> float | None:
    """Probability that a recalled review is ranked above a forgotten one (ties count half)."""
    positives = sum(pred.y for pred in preds)
    negatives = len(preds) - positives
    if positives == 0 or negatives == 0:
        return None
    ordered = sorted(preds, key=lambda pred: pred.p)
    rank_sum = 0.0
    start = 0
    while start < len(ordered):
        end = start
        while end + 1 < len(ordered) and ordered[end + 1].p == ordered[start].p:
            end += 1
        average_rank = (start + end) / 2 + 1
        rank_sum += average_rank * sum(pred.y for pred in ordered[start : end + 1])
        start = end + 1
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def score(preds: Sequence[Prediction], scheduler: str) -> dict[str, Any]:
    return {
        "scheduler": scheduler,
        "reviews_scored": len(preds),
        "log_loss": log_loss(preds),
        "rmse_bins": rmse_bins(preds),
        "auc": auc(preds),
    }


def evaluate(
    reviews: Iterable[ReviewRecord], scheduler: str, fsrs: FsrsSettings = DEFAULT
) -> dict[str, Any]:
    """Both schedulers side by side; the top level repeats `scheduler`'s own figures."""
    records = list(reviews)
    results = [score(predictions(records, name, fsrs), name) for name in SCHEDULERS]
    own = next(result for result in results if result["scheduler"] == scheduler)
    return {**own, "results": results}
