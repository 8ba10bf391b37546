"""How well SM-2 and FSRS predict a real learner's recall, measured through the API.

Run: `.venv/bin/python -m benchmarks.bench_scheduler_eval [--file PATH]`. Imports the
published review log (12,580 reviews of 1,205 cards) through `POST flashcards/import/` on an
in-process system over a temporary SQLite directory, then asks
`GET flashcards/scheduler_evaluation/` and prints log loss, RMSE(bins) and AUC for both
schedulers beside the srs-benchmark's published figures for scale.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from aksio.api.app import create_app
from aksio.bootstrap import build, migrate
from aksio.core.clock import FixedClock
from aksio.settings import Settings
from benchmarks.common import SECRET, table

REVIEW_LOG = Path(__file__).resolve().parents[1] / "tests/data/fsrs-review-logs/review_logs.csv"
BASE = "/api/v1/assessments/flashcards"
# srs-benchmark, Anki 10k-user data set, log loss weighted by reviews (for scale only).
PUBLISHED = {"sm2": 0.547, "fsrs": 0.339}


def settings(data_dir: Path) -> Settings:
    return Settings(
        data_dir=data_dir,
        secret_key=SECRET,
        rate_limit_user="10000000/minute",
        rate_limit_upload="10000000/hour",
    )


def run(path: Path) -> tuple[dict[str, Any], dict[str, Any], float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        config = settings(Path(tmp) / "var")
        migrate(config)
        clock = FixedClock(datetime.now(UTC))
        system = build(config, clock=clock)
        try:
            with TestClient(create_app(system)) as client:
                token = system.tokens.access(uuid.uuid4(), clock.now())
                auth = {"Authorization": f"Bearer {token}"}
                began = time.perf_counter()
                files = {"file": (path.name, path.read_bytes(), "text/csv")}
                imported = client.post(f"{BASE}/import/", files=files, headers=auth)
                import_s = time.perf_counter() - began
                assert imported.status_code == 201, imported.text
                began = time.perf_counter()
                evaluated = client.get(f"{BASE}/scheduler_evaluation/", headers=auth)
                evaluate_s = time.perf_counter() - began
                assert evaluated.status_code == 200, evaluated.text
                return imported.json(), evaluated.json(), import_s, evaluate_s
        finally:
            system.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=REVIEW_LOG)
    args = parser.parse_args()
    imported, result, import_s, evaluate_s = run(args.file)
    print(
        f"Imported {imported['cards_imported']:,} cards and {imported['reviews_imported']:,} "
        f"reviews in {import_s:.1f} s; evaluated in {evaluate_s:.2f} s.\n"
        f"Reviews scored (at least a day after the card's previous): {result['reviews_scored']:,}"
    )
    figures = ("log_loss", "rmse_bins", "auc")
    rows = [
        [r["scheduler"], *(f"{r[k]:.4f}" for k in figures), f"{PUBLISHED[r['scheduler']]:.3f}"]
        for r in result["results"]
    ]
    headers = ["scheduler", "log loss", "RMSE(bins)", "AUC", "published log loss"]
    print(table(headers, rows))
    print(f"Your scheduler: {result['scheduler']} (the profile default).")


if __name__ == "__main__":
    main()
