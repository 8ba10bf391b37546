"""Runs projections: catches up from the log in batches, then follows it live.

Each batch is decoded once and applied to every projection this runner owns,
and the rows and the tracked positions are committed in one transaction.
Followers wake on in-process signals (the command bus) and, on PostgreSQL, on
the event store's NOTIFY; a timed poll covers any lost signal. The threads that
follow are in `following`, drains and rebuilds in `replay`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, cast
from uuid import UUID, uuid4

from eventsourcing.domain import DomainEvent
from eventsourcing.persistence import Notification
from eventsourcing.utils import get_topic
from sqlalchemy.engine import Connection, Engine

from aksio.core.faults import is_transient
from aksio.core.store import EventStore
from aksio.projections.engine import following, isolation, quarantine, replay
from aksio.projections.engine.base import Projection, Rows
from aksio.projections.engine.leases import fenced_and_announced, take
from aksio.projections.engine.locks import Locks
from aksio.projections.engine.positions import CHANNEL, read_positions, set_position

logger = logging.getLogger(__name__)
Progress = Callable[[int, int, int], None]  # position, head, events so far


class ProjectionRunner:
    REBUILD_BATCH = 5000  # events at least per batch of a rebuild
    RECORD_ALL_S = 1.0  # positions of projections a batch did not change: written this often
    LINGER_S = 0.003  # under load, how long a wakened runner lets more events gather
    CHECK_EVERY_S = 2.0  # lock session, unclaimed projections, retries asked for

    def __init__(
        self,
        store: EventStore,
        engine: Engine,
        projections: Sequence[Projection],
        locks: Locks,
        *,
        batch_size: int = 2000,
        poll_interval: float = 0.5,
        listen_url: str | None = None,
    ) -> None:
        self.store = store
        self.engine = engine
        self.projections = list(projections)
        self.locks = locks
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.listen_url = listen_url
        self.rows = Rows()
        self.owned: list[Projection] = []
        self.positions: dict[str, int] = {}
        self._changed = threading.Condition()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._batch = threading.RLock()  # one batch or reset at a time
        self._routes_key: tuple[str, ...] = ()
        self._routes_cache: dict[str, list[Projection]] = {}
        self.token = uuid4()  # this owner's lease token (see `leases`)
        self.holds = isolation.Holds()  # the aggregates quarantined in owned projections
        self.failure: dict[str, Any] | None = None  # the last batch's error, until one passes
        self._retry_held = False
        self._touched: set[str] = set()  # projections whose rows the batch changes
        self._recorded = 0  # the position of the last batch recorded
        self._recorded_all_at = 0.0  # when every owned projection's position was last written
        self._behind = False  # some stored positions are behind `_recorded`
        self._busy_until = 0.0  # events kept coming until about then
        self._waiters = 0  # requests of this process waiting in `wait_for`

    # -- ownership -----------------------------------------------------------------
    def claim(self, *, block: bool = False) -> None:
        """Takes the lock of every projection it can; the others stay with their owner."""
        for projection in self.projections:
            if projection in self.owned:
                continue
            if block:
                self.locks.acquire(projection.name)
            elif not self.locks.try_acquire(projection.name):
                continue
            self.owned.append(projection)
            self._prepare(projection)

    def _prepare(self, projection: Projection) -> None:
        with self.engine.begin() as conn:  # the lease first: a stale owner's batch now fails
            take(conn, projection.name, self.token)
        stored = read_positions(self.engine).get(projection.name)
        if stored is None or stored[1] != projection.version:
            self.reset([projection])
        else:
            self.positions[projection.name] = stored[0]
            with self.engine.connect() as conn:
                self.holds.add(quarantine.load(conn, [projection.name]))
        self.rows.reset()

    def release_all(self) -> None:
        """Gives up every projection (its lease was taken or its lock lost)."""
        with self._batch:
            self.owned = []
            self.rows.reset()
            self.token = uuid4()
            self.locks.release_all()

    def verify_locks(self) -> None:
        """Drops ownership when the lock session died: another process may own them now."""
        if self.owned and not set(self._names()) <= self.locks.check():
            logger.warning("projection lock session lost; giving up %s", self._names())
            self.release_all()

    def _names(self) -> list[str]:
        return [p.name for p in self.owned]

    def held_ids(self) -> frozenset[UUID]:
        return self.holds.ids()

    def reset(self, projections: Sequence[Projection]) -> None:
        """Empties the projections' tables and rewinds them to the start of the log."""
        with self._batch, self.engine.begin() as conn:
            for projection in projections:
                for table in projection.tables:
                    table.drop(conn, checkfirst=True)
                    table.create(conn)
                set_position(conn, projection, 0)
                self.positions[projection.name] = 0
            quarantine.clear(conn, [p.name for p in projections])
        self.holds.clear([p.name for p in projections])
        self.rows.reset(emptied=[t for p in projections for t in p.tables])

    # -- processing ----------------------------------------------------------------
    def run_once(self) -> int:
        """Applies one batch of stored events; returns how many were read."""
        with self._batch:
            return self._run_batch()

    def _run_batch(self) -> int:
        start = self._start()
        if start is None:
            return 0
        notifications = self.store.read(after=start, limit=self.batch_size)
        self._apply(notifications)
        return len(notifications)

    def _start(self) -> int | None:
        return min((self.positions[p.name] for p in self.owned), default=None)

    def _routes(self) -> dict[str, list[Projection]]:
        """Which owned projections handle each stored topic (so others are not decoded)."""
        key = tuple(p.name for p in self.owned)
        if self._routes_key != key:
            routes: dict[str, list[Projection]] = {}
            for projection in self.owned:
                for event_type in projection.handled_types():
                    routes.setdefault(get_topic(event_type), []).append(projection)
            self._routes_cache, self._routes_key = routes, key
        return self._routes_cache

    def _apply(self, notifications: Sequence[Notification]) -> None:
        """One transaction for the batch; if an event fails, the batch again, event by event,
        quarantining each aggregate whose event fails in a projection (see `isolation`)."""
        if not notifications or not self.owned:
            return
        last = notifications[-1].id
        began = time.perf_counter()
        batch: dict[str, float] = {"position": last, "events": len(notifications)}
        try:
            with self.engine.begin() as conn:
                self.rows.begin(conn)
                self._project(notifications)
                self.rows.flush()
                self._record(conn, last)
        except Exception as error:
            self.rows.reset()
            if is_transient(error):
                raise
            logger.warning("projection batch failed (%s); isolating", error, extra=batch)
            self.holds.add(isolation.apply_carefully(self, notifications))
        except BaseException:
            self.rows.reset()
            raise
        self._advance(last)
        batch["ms"] = round((time.perf_counter() - began) * 1000, 2)
        logger.debug("projection batch committed", extra=batch)

    def _project(self, notifications: Sequence[Notification]) -> None:
        """Applies the events to the rows (in memory) of the projections that handle them."""
        routes = self._routes()
        positions = self.positions
        to_event = self.store.mapper.to_domain_event
        rows = self.rows
        holds = self.holds if self.holds else None
        touched = self._touched
        events: list[tuple[Notification, DomainEvent, list[Projection]]] = []
        needed: dict[Any, list[Any]] = {}
        for notification in notifications:
            targets = routes.get(notification.topic)
            if not targets:
                continue
            event = cast(DomainEvent, to_event(notification))
            events.append((notification, event, targets))
            for projection in targets:
                need = projection.needs(event)
                if need is not None:
                    needed.setdefault(need[0], []).append(need[1])
        for table, keys in needed.items():
            rows.load(table, keys)
        for notification, event, targets in events:
            for projection in targets:
                if notification.id <= positions[projection.name]:
                    continue
                if holds and notification.originator_id in holds.of(projection.name):
                    continue  # waits with its aggregate's quarantine
                projection.apply(event, rows)
                touched.add(projection.name)

    def _record(self, conn: Connection, position: int, *, every: bool = False) -> None:
        """In a batch's transaction: the owned projections' new position, fenced and
        announced. Written for the projections the batch changed, and for all of them once a
        `RECORD_ALL_S` (or when `every`): one row per batch under load, not one each."""
        names = self._names()
        now = time.monotonic()
        every = every or conn.dialect.name != "postgresql"
        every = every or now - self._recorded_all_at >= self.RECORD_ALL_S
        written = names if every else [n for n in names if n in self._touched]
        fenced_and_announced(conn, names, written, self.token, position, CHANNEL)
        self._touched = set()
        self._recorded = position
        self._behind = not every
        if every:
            self._recorded_all_at = now

    def record_all(self) -> None:
        """Writes the positions a batch left behind (once the log is quiet, and after a
        drain): health, metrics and a restart then see them where they are."""
        with self._batch:
            if self._behind and self.owned:
                with self.engine.begin() as conn:
                    self._record(conn, self._recorded, every=True)

    def _advance(self, position: int) -> None:
        with self._changed:
            for projection in self.owned:
                self.positions[projection.name] = position
            self._changed.notify_all()

    def drain(self, progress: Progress | None = None, batch_size: int | None = None) -> int:
        """Processes until the log is exhausted, reading the next page while applying one."""
        return replay.drain(self, progress, batch_size or self.batch_size)

    def rebuild(self, projections: Sequence[Projection], progress: Progress | None = None) -> int:
        """Drops the projections' tables and replays the whole log into them."""
        return replay.rebuild(self, projections, progress)

    # -- following -----------------------------------------------------------------
    def wake(self, _position: int = 0, _topics: frozenset[str] = frozenset()) -> None:
        self._wake.set()

    def wait_for(self, position: int, timeout: float) -> bool:
        """True once every projection has passed `position` (owned ones only here)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            self._waiters += 1
            try:
                while any(self.positions.get(p.name, 0) < position for p in self.projections):
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        return False
                    self._wake.set()  # no lingering while a request here waits
                    self._changed.wait(remaining)
            finally:
                self._waiters -= 1
        return True

    def start(self) -> None:
        self._retry_held = True  # a new release may carry the fix: retry quarantines first
        follow = partial(following.follow, self)
        self._threads = [threading.Thread(target=follow, name="projections", daemon=True)]
        if self.listen_url:
            listen = partial(following.listen, self, self.listen_url)
            self._threads.append(
                threading.Thread(target=listen, name="projections-listen", daemon=True)
            )
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self.locks.close()

    def _check(self) -> None:
        """Now and then: a lost lock session, projections to claim, retries asked for."""
        self.verify_locks()
        if len(self.owned) < len(self.projections):
            self.claim()
        if self.owned:
            with self.engine.connect() as conn:
                asked = quarantine.retry_requested(conn, self._names())
            if asked or self._retry_held:
                self._retry_held = False
                self.retry_quarantined()

    def retry_quarantined(self) -> tuple[int, int]:
        """Replays each quarantined aggregate of the owned projections; (released, still held)."""
        with self._batch:
            with self.engine.connect() as conn:
                holds = quarantine.load(conn, self._names())
            released = 0
            for held in holds:
                if isolation.retry(self, held):
                    self.holds.remove(held.name, held.originator_id)
                    released += 1
            return released, len(holds) - released
