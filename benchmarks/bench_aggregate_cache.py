"""Loading a flashcard for a command, with and without the aggregate cache, by history length.

Run: `.venv/bin/python -m benchmarks.bench_aggregate_cache [--loads 300]`. On a fresh PostgreSQL
database, cards with 1, 10, 50 and 200 reviews are saved, then `store.repository.get(card)`
(what a command handler's load does) is timed on a store without the cache
(`AKSIO_AGGREGATE_CACHE_SIZE=0`) and on one with it.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from aksio.aggregates.flashcards.flashcard import Flashcard
from aksio.bootstrap import migrate
from aksio.core.store import open_store
from aksio.settings import Settings
from benchmarks.common import SECRET, pg_database, table

HISTORIES = (1, 10, 50, 200)
CARD = {"question": "Q?", "answer": "A", "difficulty_level": "medium", "tags": []}


def load_ms(settings: Settings, reviews: int, loads: int) -> float:
    store = open_store(settings)
    try:
        now = datetime.now(UTC)
        card = Flashcard.create(uuid.uuid4(), CARD, now=now, scheduler="sm2")
        for n in range(reviews):  # a lapse every fifth review keeps intervals in range
            card.review(4 if n % 5 else 1, reviewed_at=now, recorded_at=now, scheduler="sm2")
        store.save(card)
        store.repository.get(card.id)
        began = time.perf_counter()
        for _ in range(loads):
            store.repository.get(card.id)
        return (time.perf_counter() - began) / loads * 1000
    finally:
        store.close()


def main() -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--loads", type=int, default=300)
    options = args.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="aksio-bench-") as folder, pg_database() as url:
        base = Settings(database_url=url, data_dir=Path(folder), secret_key=SECRET)
        migrate(base)
        without = base.model_copy(update={"aggregate_cache_size": 0})
        for reviews in HISTORIES:
            plain, cached = (
                load_ms(without, reviews, options.loads),
                load_ms(base, reviews, options.loads),
            )
            rows.append([reviews, plain, cached, plain / cached])
    print(f"loading one flashcard on PostgreSQL, mean of {options.loads} loads")
    print(table(["reviews", "no cache ms", "cache ms", "speed-up"], rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
