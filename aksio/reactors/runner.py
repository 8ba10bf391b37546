"""Reactors: followers of the event log that act on the world (I/O) and answer with commands.

Each reactor keeps its own tracked position, saved after every event it
handled, so a crash repeats at most the event in hand: reactions must be
idempotent per event (the stable public event id serves as the key). Events
a reactor does not follow are skipped by their stored topic, without being
decoded, and moving past them is saved at most once a second (and when a
drain ends): a restart reads them again and skips them again. One process at
a time runs a given reactor (the same locks as projections).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, ClassVar, cast
from uuid import uuid4

import sqlalchemy as sa
from eventsourcing.domain import DomainEvent
from eventsourcing.persistence import Notification
from eventsourcing.utils import resolve_topic
from sqlalchemy.engine import Engine

from aksio.core.store import EventStore
from aksio.projections.engine.db import reactor_tracking
from aksio.projections.engine.leases import (
    LostOwnership,
    fenced_reactor_position,
    reactor_lease,
    take,
)
from aksio.projections.engine.locks import Locks

logger = logging.getLogger(__name__)
SKIPPED_SAVE_INTERVAL_S = 1.0
CHECK_LOCKS_S = 2.0


class Reactor:
    name: ClassVar[str]
    topics: ClassVar[tuple[type[DomainEvent], ...]] = ()

    def follows(self, topic: str) -> bool:
        """Whether events stored under `topic` concern this reactor (subclasses included)."""
        wanted = tuple(self.topics)
        return not wanted or issubclass(resolve_topic(topic), wanted)

    def make_runner(self, store: EventStore, engine: Engine, locks: Locks) -> ReactorRunner:
        """The runner that follows the log for this reactor; a reactor that handles the log
        in its own way (whole batches, due deliveries) returns a runner of its own."""
        return ReactorRunner(self, store, engine, locks)


class EventReactor(Reactor):
    """A reactor that handles the events it follows one at a time (the default runner's way)."""

    def react(self, event: DomainEvent, position: int) -> None:
        raise NotImplementedError


class ReactorRunner:
    """Runs one reactor in its own thread (or synchronously with `drain`): each run takes the
    lock (and lease) when free, then `_handle`s the next batch. The default handles an
    `EventReactor`'s events one at a time; a reactor that works in whole batches (the Kafka
    relay) or has more to do per batch (the webhook dispatcher) comes with a runner whose
    `_handle` says how."""

    def __init__(
        self,
        reactor: Reactor,
        store: EventStore,
        engine: Engine,
        locks: Locks,
        *,
        batch_size: int = 500,
        poll_interval: float = 0.5,
    ) -> None:
        self.reactor = reactor
        self.store = store
        self.engine = engine
        self.locks = locks
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.position: int | None = None
        self.owned = False
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._follows: dict[str, bool] = {}
        self._saved: int | None = None
        self._saved_at = 0.0
        self.token = uuid4()  # this owner's lease token (see `projections.leases`)
        self.failure: dict[str, Any] | None = None  # the last error, until a run passes

    @property
    def lock_name(self) -> str:
        return reactor_lease(self.reactor.name)  # the lock and the lease share the name

    def _load_position(self) -> int:
        with self.engine.connect() as conn:
            found = conn.execute(
                sa.select(reactor_tracking.c.position).where(
                    reactor_tracking.c.name == self.reactor.name
                )
            ).scalar()
        return int(found or 0)

    def _save_position(self, position: int) -> None:
        """Saves the position while this runner holds the lease; else gives the reactor up."""
        try:
            with self.engine.begin() as conn:
                fenced_reactor_position(conn, self.reactor.name, self.token, position)
        except LostOwnership:
            self._give_up()
            raise
        self.position = self._saved = position
        self._saved_at = time.monotonic()

    def _take_lease(self) -> None:
        with self.engine.begin() as conn:
            take(conn, self.lock_name, self.token)
            exists = conn.execute(
                sa.select(reactor_tracking.c.name).where(
                    reactor_tracking.c.name == self.reactor.name
                )
            ).first()
            if exists is None:
                conn.execute(reactor_tracking.insert().values(name=self.reactor.name, position=0))

    def _give_up(self) -> None:
        """Another process owns the reactor now: forget the position and the lock."""
        logger.warning(
            "reactor %s lost its lock or lease; stopped until it can claim it again",
            self.reactor.name,
        )
        self.owned = False
        self.position = self._saved = None
        self.token = uuid4()
        self.locks.release(self.lock_name)

    def follows(self, topic: str) -> bool:
        known = self._follows.get(topic)
        if known is None:
            known = self._follows[topic] = self.reactor.follows(topic)
        return known

    def _save_moved(self, force: bool) -> None:
        """Saves a position moved past unsaved events when `force`d or once a second."""
        stale = time.monotonic() - self._saved_at >= SKIPPED_SAVE_INTERVAL_S
        if self.position is not None and self.position != self._saved and (force or stale):
            self._save_position(self.position)

    def _claim(self) -> bool:
        """Whether this runner holds the reactor's lock (taking it when free), with its lease
        taken before the position is read."""
        if not self.owned and self.locks.try_acquire(self.lock_name):
            self._take_lease()
            self.position = self._saved = None
            self.owned = True
        return self.owned

    def _page(self) -> list[Notification]:
        """The next stored events after the position (loaded once from the database)."""
        if self.position is None:
            self.position = self._saved = self._load_position()
        return self.store.read(after=self.position, limit=self.batch_size)

    def run_once(self, *, settle: bool = False) -> int:
        """Handles one batch of events; returns how many were read. `settle` (drains) saves
        the position even when the batch only skipped events."""
        with self._lock:
            if not self._claim():
                return 0
            return self._handle(settle)

    def _handle(self, settle: bool) -> int:
        """Handles the next batch (the lock is held); returns how many events it took."""
        reactor = self.reactor
        assert isinstance(reactor, EventReactor), f"{reactor.name} needs a runner of its own"
        notifications = self._page()
        for notification in notifications:
            if self.follows(notification.topic):
                event = cast(DomainEvent, self.store.mapper.to_domain_event(notification))
                reactor.react(event, notification.id)
                self._save_position(notification.id)
            else:
                self.position = notification.id
        self._save_moved(settle)
        return len(notifications)

    def drain(self) -> int:
        total = 0
        while True:
            count = self.run_once(settle=True)
            total += count
            if count < self.batch_size:
                return total

    def wake(self, _position: int = 0, topics: frozenset[str] = frozenset()) -> None:
        """Wakes the follower, unless the new events are known to concern it not at all
        (its poll moves past those later, in one read)."""
        if not topics or any(self.follows(topic) for topic in topics):
            self._wake.set()

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._follow, name=f"reactor-{self.reactor.name}", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.locks.close()

    def _follow(self) -> None:
        checked = time.monotonic()
        while not self._stop.is_set():
            try:
                if time.monotonic() - checked > CHECK_LOCKS_S:
                    checked = time.monotonic()
                    # (the lock connection is shared: another reactor's stop closes it)
                    held = self.locks.check()
                    if self.owned and self.lock_name not in held and not self._stop.is_set():
                        self._give_up()
                if self.run_once() == self.batch_size:
                    self.failure = None
                    continue
                self.failure = None
            except LostOwnership:
                pass
            except Exception as error:
                if self.failure is None:
                    logger.exception(
                        "reactor failed; retrying",
                        extra={"reactor": self.reactor.name, "position": self.position},
                    )
                self.failure = {
                    "component": f"reactor:{self.reactor.name}",
                    "state": "failing",
                    "position": self.position,
                    "error": f"{type(error).__name__}: {error}"[:2000],
                }
                self._stop.wait(1.0)
                continue
            self._wake.wait(self.poll_interval)
            self._wake.clear()
