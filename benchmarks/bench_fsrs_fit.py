"""FSRS fitted to the published review log: the honest score and the fit's time.

Run: `.venv/bin/python -m benchmarks.bench_fsrs_fit`. Fits on the reviews before the median
long-term review and scores default and fitted parameters on the long-term reviews after it,
then times a fit of the whole log. Goals: fitted log loss at most 0.434 (default about
0.438), and the whole-log fit under 5 s.
"""

from __future__ import annotations

import time
from pathlib import Path

from aksio.aggregates.flashcards.evaluation import ReviewRecord
from aksio.aggregates.flashcards.review_log import parse_review_log
from aksio.integrations import fsrs_fit

REVIEW_LOG = Path(__file__).resolve().parents[1] / "tests/data/fsrs-review-logs/review_logs.csv"
FITTED_GOAL, FIT_SECONDS_GOAL = 0.434, 5.0


def main() -> None:
    cards = parse_review_log(REVIEW_LOG.read_bytes())
    records = [
        ReviewRecord(c.external_id, r.reviewed_at, r.quality) for c in cards for r in c.reviews
    ]
    result = fsrs_fit.optimize(records)
    began = time.perf_counter()
    fsrs_fit.fit_parameters(records)
    fit_s = time.perf_counter() - began
    print(
        f"reviews {result.reviews_used}, scored after {result.split_at:%Y-%m-%d}: "
        f"{result.reviews_scored}"
    )
    print(
        f"log loss on the later half: default {result.log_loss_default:.4f}, "
        f"fitted {result.log_loss_fitted:.4f} (goal <= {FITTED_GOAL})"
    )
    print(f"fit of the whole log: {fit_s:.3f} s (goal < {FIT_SECONDS_GOAL} s)")
    assert result.log_loss_fitted is not None and result.log_loss_fitted <= FITTED_GOAL
    assert fit_s < FIT_SECONDS_GOAL


if __name__ == "__main__":
    main()
