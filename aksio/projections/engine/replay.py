"""Replaying the log into a runner's projections: a drain (catching up from where they are)
and a rebuild (from empty tables), reading the next page while one is applied.

These work on a `ProjectionRunner`'s batch machinery (`runner.py`); only the runner calls
them, through its `drain` and `rebuild`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING

from eventsourcing.persistence import Notification

from aksio.core.collector import fewer_collections
from aksio.core.faults import is_transient
from aksio.core.store import EventStore
from aksio.projections.engine.base import Changes, Projection
from aksio.projections.engine.leases import take

if TYPE_CHECKING:
    from aksio.projections.engine.runner import Progress, ProjectionRunner

logger = logging.getLogger(__name__)


def pages(store: EventStore, start: int, size: int) -> Iterator[list[Notification]]:
    """The log after `start` in pages of `size`, reading the next while one is used."""
    with ThreadPoolExecutor(1, thread_name_prefix="projection-read") as reader:
        pending: Future[list[Notification]] | None = reader.submit(store.read, start, size)
        while pending is not None:
            page = pending.result()
            pending = None
            if len(page) == size:
                pending = reader.submit(store.read, page[-1].id, size)
            if page:
                yield page


def drain(runner: ProjectionRunner, progress: Progress | None, size: int) -> int:
    """Applies the log from the owned projections' position until it is exhausted."""
    total = 0
    with runner._batch:
        start = runner._start()
    if start is None:
        return 0
    with fewer_collections():
        for notifications in pages(runner.store, start, size):
            with runner._batch:
                runner._apply(notifications)
            total += len(notifications)
            if progress is not None:
                progress(notifications[-1].id, runner.store.head(), total)
    runner.record_all()
    return total


def rebuild(
    runner: ProjectionRunner, projections: Sequence[Projection], progress: Progress | None
) -> int:
    """Takes the projections (waiting for their locks), empties their tables and replays
    the whole log into them; a failing event is isolated by a drain from there."""
    with runner._batch:
        for projection in projections:
            runner.locks.acquire(projection.name)
            if projection not in runner.owned:
                runner.owned.append(projection)
            with runner.engine.begin() as conn:
                take(conn, projection.name, runner.token)
        runner.reset(projections)
        size = max(runner.batch_size, runner.REBUILD_BATCH)
        with fewer_collections():
            try:
                return _replay(runner, progress, size)
            except Exception as error:
                if is_transient(error):
                    raise
                # each written batch committed its position: go on from there, isolating
                logger.warning("rebuild met a failing event (%s); isolating it", error)
        return drain(runner, progress, size)


def _replay(runner: ProjectionRunner, progress: Progress | None, size: int) -> int:
    """Like `drain`, but also writes each batch while the next one is applied.

    Only under the runner's batch lock (no other batch runs meanwhile). A row a batch
    reads is in the cache whenever an earlier batch changed it, so a query never misses
    an unwritten change; the cache is only dropped once every batch is written. Each batch
    still commits its rows with its position.
    """
    total = 0
    start = runner._start()
    if start is None or not runner.owned:
        return 0
    rows = runner.rows
    written: Future[None] | None = None
    with ThreadPoolExecutor(1, thread_name_prefix="projection-write") as writer:
        try:
            for notifications in pages(runner.store, start, size):
                with runner.engine.connect() as conn:
                    rows.begin(conn)
                    runner._project(notifications)
                if written is not None:
                    written.result()
                last = notifications[-1].id
                written = writer.submit(_write, runner, rows.detach(), last)
                if rows.oversized():
                    written.result()
                    rows.forget()
                total += len(notifications)
                if progress is not None:
                    progress(last, runner.store.head(), total)
            if written is not None:
                written.result()
        except BaseException:
            if written is not None:
                wait([written])
            rows.reset()
            raise
    return total


def _write(runner: ProjectionRunner, changes: Changes, position: int) -> None:
    with runner.engine.begin() as conn:
        runner.rows.write(conn, changes)
        runner._record(conn, position, every=True)
    runner._advance(position)
