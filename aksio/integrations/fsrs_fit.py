"""FSRS parameters fitted to one learner's own reviews, and how much better they predict.

The fit is fsrs-rs-python, the Rust build of FSRS's reference optimizer: a 1.5 MB wheel
that fits a year of one learner's reviews in well under a second, where the `fsrs`
package's optimizer needs torch (hundreds of megabytes). It is CPU work, so callers run it
before dispatching the command that stores the result, never inside a handler.

The honest score splits the history in time at the median long-term review (one at least
a day after the card's previous review, the kind a scheduler is scored on): parameters
fitted on the reviews before it are scored against default parameters on the long-term
reviews from it on, so the fit never sees a review it is scored on. The parameters kept
are then fitted on the whole history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import Any

from fsrs_rs_python import DEFAULT_PARAMETERS, FSRS, FSRSItem, FSRSReview

from aksio.aggregates.flashcards import fsrs_adapter
from aksio.aggregates.flashcards.evaluation import (
    ReviewRecord,
    by_card,
    log_loss,
    predictions,
    score,
)
from aksio.aggregates.flashcards.fsrs_adapter import DEFAULT, FsrsSettings
from aksio.core.errors import ValidationFailed

# Half of them fit and half are scored: below ~200 long-term reviews a side, a fit mostly
# learns noise and its score says little.
MIN_LONG_TERM_REVIEWS = 400


@dataclass(frozen=True)
class Split:
    at: datetime
    earlier: list[ReviewRecord]


@dataclass(frozen=True)
class FitResult:
    parameters: tuple[float, ...]
    reviews_used: int
    split_at: datetime
    reviews_scored: int
    log_loss_default: float | None
    log_loss_fitted: float | None


def long_term_times(records: Sequence[ReviewRecord]) -> list[datetime]:
    """Times of the reviews at least a day after their card's previous review, in order."""
    times = [
        later.at
        for history in by_card(records)
        for earlier, later in pairwise(history)
        if (later.at - earlier.at).days >= 1
    ]
    return sorted(times)


def split(records: Sequence[ReviewRecord]) -> Split | None:
    """The history cut at its median long-term review; None below the minimum history."""
    times = long_term_times(records)
    if len(times) < MIN_LONG_TERM_REVIEWS:
        return None
    at = times[len(times) // 2]
    return Split(at, [r for r in records if r.at < at])


def items(records: Sequence[ReviewRecord]) -> list[FSRSItem]:
    """One item per long-term review: the card's reviews up to it, days apart by UTC date."""
    out: list[FSRSItem] = []
    # The optimizer depends on the order of its items: order cards by their reviews, not by
    # their ids (random), so the same history always fits the same parameters.
    histories = sorted(by_card(records), key=lambda h: [(r.at, r.quality) for r in h])
    for history in histories:
        reviews: list[FSRSReview] = []
        previous: datetime | None = None
        for record in history:
            days = (record.at.date() - previous.date()).days if previous else 0
            reviews.append(FSRSReview(int(fsrs_adapter.rating_for(record.quality)), days))
            if days > 0:
                out.append(FSRSItem(list(reviews)))
            previous = record.at
    return out


def fit_parameters(records: Sequence[ReviewRecord]) -> tuple[float, ...]:
    fitted = FSRS(DEFAULT_PARAMETERS).compute_parameters(items(records))
    # float32 inside the optimizer: six decimals keep all it knows and store cleanly.
    return tuple(round(float(w), 6) for w in fitted)


def scored_loss(
    records: Sequence[ReviewRecord], settings: FsrsSettings, since: datetime
) -> tuple[int, float | None]:
    preds = predictions(records, "fsrs", settings, scored_from=since)
    return len(preds), log_loss(preds)


def refuse_short_history(found: int) -> ValidationFailed:
    return ValidationFailed(
        f"Fitting FSRS needs at least {MIN_LONG_TERM_REVIEWS} reviews that come a day or more "
        f"after the card's previous review; you have {found}.",
        {"reviews": [f"{found} of {MIN_LONG_TERM_REVIEWS} long-term reviews"]},
    )


def optimize(records: Sequence[ReviewRecord]) -> FitResult:
    """Parameters fitted to all of `records`, scored by a fit on the earlier part only."""
    cut = split(records)
    if cut is None:
        raise refuse_short_history(len(long_term_times(records)))
    early = fit_parameters(cut.earlier)
    scored, before = scored_loss(records, DEFAULT, cut.at)
    _, after = scored_loss(records, FsrsSettings.of(early, None), cut.at)
    return FitResult(
        parameters=fit_parameters(records),
        reviews_used=len(records),
        split_at=cut.at,
        reviews_scored=scored,
        log_loss_default=before,
        log_loss_fitted=after,
    )


def time_split_scores(records: Sequence[ReviewRecord]) -> dict[str, Any] | None:
    """SM-2, default FSRS and FSRS fitted on the earlier part, all scored on the later part."""
    cut = split(records)
    if cut is None:
        return None
    fitted = FsrsSettings.of(fit_parameters(cut.earlier), None)
    chosen = (("sm2", "sm2", DEFAULT), ("fsrs", "fsrs", DEFAULT), ("fsrs_fitted", "fsrs", fitted))
    results = [
        score(predictions(records, scheduler, settings, scored_from=cut.at), name)
        for name, scheduler, settings in chosen
    ]
    return {"split_at": cut.at, "results": results}
