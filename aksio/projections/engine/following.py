"""Following the log live: the threads a `ProjectionRunner` starts (`runner.start`).

`follow` applies batches as events arrive, woken by in-process signals, by the event
store's NOTIFY (`listen`, on PostgreSQL) or by a timed poll should a signal be lost; under
load it lingers a moment so that a batch takes several events. A failing batch is retried
and reported (`runner.failure`, shown by `/health`) until one passes.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

import psycopg

from aksio.core.store import NOTIFY_CHANNEL, postgres_dsn
from aksio.projections.engine import quarantine
from aksio.projections.engine.leases import LostOwnership

if TYPE_CHECKING:
    from aksio.projections.engine.runner import ProjectionRunner

logger = logging.getLogger(__name__)
BUSY_S = 0.05  # a batch that read events keeps the runner "under load" this long


def follow(runner: ProjectionRunner) -> None:
    """The follower thread: batches until the runner stops."""
    last_check = 0.0
    while not runner._stop.is_set():
        try:
            if time.monotonic() - last_check > runner.CHECK_EVERY_S:
                last_check = time.monotonic()
                runner._check()
            read = runner.run_once()
            runner.failure = None
            if read == runner.batch_size:
                continue
            if not read:
                runner.record_all()  # quiet: the positions left behind go down now
            else:
                runner._busy_until = time.monotonic() + BUSY_S
        except LostOwnership as lost:
            logger.warning("%s; giving up %s", lost, runner._names())
            runner.release_all()
        except Exception as error:
            _failed(runner, error)
            runner._stop.wait(1.0)
            continue
        runner._wake.wait(runner.poll_interval)
        runner._wake.clear()
        if time.monotonic() < runner._busy_until and not runner._waiters:
            # Events keep coming: a moment's wait lets the next batch take several, one
            # transaction and one position for them all instead of one each.
            runner._stop.wait(runner.LINGER_S)


def _failed(runner: ProjectionRunner, error: Exception) -> None:
    position = runner._start()
    if runner.failure is None or runner.failure["error"] != quarantine.describe(error):
        logger.exception("projection batch failed; retrying", extra={"position": position})
    runner.failure = {
        "component": "projections",
        "state": "failing",
        "position": position,
        "error": quarantine.describe(error),
    }


def listen(runner: ProjectionRunner, url: str) -> None:
    """The listening thread (PostgreSQL): wakes the follower at each append's NOTIFY."""
    while not runner._stop.is_set():
        try:
            with psycopg.connect(postgres_dsn(url), autocommit=True) as conn:
                conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                while not runner._stop.is_set():
                    for _ in conn.notifies(timeout=0.1, stop_after=1):
                        runner._wake.set()
        except psycopg.Error:
            logger.warning("LISTEN connection lost; polling until it is back")
            runner._stop.wait(1.0)
