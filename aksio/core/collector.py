"""Tuning of Python's cyclic garbage collector for a process that holds large caches.

The collector runs its youngest generation every 700 allocations by default, and
every tenth of those runs walks the next one. A replay allocates millions of
short-lived objects (events, rows) while the row cache and the aggregate cache hold
hundreds of thousands of long-lived ones, so with the default the collector alone
took about a third of a rebuild. A larger first threshold keeps cycles collected
(only less often, each pass a little longer) and nothing else changes.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG_THRESHOLD = 50_000


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Runs the block with the young generation collected every `YOUNG_THRESHOLD`
    allocations at most; the previous thresholds come back afterwards."""
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], YOUNG_THRESHOLD), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def tune_for_service() -> None:
    """For `aksio serve` and `aksio worker`: what was allocated while starting (modules,
    settings, pools) is never collected, so the collector stops walking it, and the
    young generation is collected every `YOUNG_THRESHOLD` allocations."""
    gc.freeze()
    first, *rest = gc.get_threshold()
    gc.set_threshold(max(first, YOUNG_THRESHOLD), *rest)
