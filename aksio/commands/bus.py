"""The command bus: runs one handler per command, retries on write conflicts.

A handler loads aggregates through its `UnitOfWork`, asks them to decide, and
saves once. The bus returns the handler's value with the store position of the
events it saved, which the API uses to wait for read-your-writes.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import get_topic

from aksio.commands.group_commit import GroupCommitter
from aksio.core.errors import Conflict, NotFound

if TYPE_CHECKING:
    from aksio.commands.services import Services
    from aksio.core.store import EventStore

R = TypeVar("R")
A = TypeVar("A", bound=Aggregate)
logger = logging.getLogger(__name__)


class Command(Generic[R]):
    """Base of command dataclasses; `R` is what the handler returns."""


@dataclass(frozen=True)
class Outcome(Generic[R]):
    value: R
    position: int


class AggregateLocks:
    """In-process queueing per aggregate, so that local writers wait instead of conflicting.

    Writers in other processes still conflict and retry; a lock not had within
    `timeout` is skipped rather than waited for (no deadlock between handlers
    that load several aggregates in different orders).
    """

    def __init__(self, timeout: float = 2.0) -> None:
        self.timeout = timeout
        self._guard = threading.Lock()
        self._locks: dict[UUID, tuple[threading.Lock, int]] = {}

    def acquire(self, key: UUID) -> bool:
        with self._guard:
            lock, users = self._locks.get(key, (threading.Lock(), 0))
            self._locks[key] = (lock, users + 1)
        if lock.acquire(timeout=self.timeout):
            return True
        self._forget(key)
        return False

    def release(self, key: UUID) -> None:
        with self._guard:
            lock, _ = self._locks[key]
        lock.release()
        self._forget(key)

    def _forget(self, key: UUID) -> None:
        with self._guard:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


class UnitOfWork:
    """What a handler may touch: the store (load, save once) and the services."""

    def __init__(
        self,
        store: EventStore,
        services: Services,
        committer: GroupCommitter | None = None,
        locks: AggregateLocks | None = None,
    ) -> None:
        self.store = store
        self.services = services
        self.committer = committer
        self.locks = locks
        self.held: list[UUID] = []
        self.position = 0
        self.topics: frozenset[str] = frozenset()  # of the events saved; empty when unknown
        self._saved = False

    def release(self) -> None:
        if self.locks is not None:
            for key in reversed(self.held):
                self.locks.release(key)
        self.held.clear()

    def load(self, kind: type[A], aggregate_id: UUID, *, owner_id: UUID | None = None) -> A:
        """The aggregate, or NotFound when it is missing, of another kind or another owner's."""
        locks = self.locks
        if locks is not None and aggregate_id not in self.held and locks.acquire(aggregate_id):
            self.held.append(aggregate_id)
        try:
            aggregate: Aggregate = self.store.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFound(kind.__name__) from None
        if not isinstance(aggregate, kind):
            raise NotFound(kind.__name__)
        if owner_id is not None and getattr(aggregate, "owner_id", None) != owner_id:
            raise NotFound(kind.__name__)
        return aggregate

    def peek(self, kind: type[A], aggregate_id: UUID, *, owner_id: UUID | None = None) -> A | None:
        """An aggregate the handler reads but does not change: up to date, not copied from
        the cache and not locked (it must not be changed); None where `load` raises NotFound."""
        try:
            aggregate: Aggregate = self.store.repository.get(
                aggregate_id, deepcopy_from_cache=False
            )
        except AggregateNotFoundError:
            return None
        if not isinstance(aggregate, kind):
            return None
        if owner_id is not None and getattr(aggregate, "owner_id", None) != owner_id:
            return None
        return aggregate

    def find(self, kind: type[A], aggregate_id: UUID) -> A | None:
        try:
            return self.load(kind, aggregate_id)
        except NotFound:
            return None

    def save(self, *aggregates: Aggregate) -> int:
        if self._saved:
            raise RuntimeError("a handler saves once")
        self._saved = True
        if self.committer is not None:
            events = [e for aggregate in aggregates for e in aggregate.collect_events()]
            if events:
                self.position = self.committer.commit(events)
                self.topics = frozenset(get_topic(type(e)) for e in events)
            return self.position
        recordings = self.store.save(*aggregates)
        if recordings:
            self.position = max(r.notification.id for r in recordings)
        return self.position


Handler = Callable[[Any, UnitOfWork], Any]


class CommandBus:
    def __init__(
        self,
        store: EventStore,
        services: Services,
        handlers: dict[type[Any], Handler],
        *,
        max_attempts: int = 25,
        group_commit: bool = True,
    ) -> None:
        self.committer = GroupCommitter(store) if group_commit else None
        self.locks = AggregateLocks()
        self.store = store
        self.services = services
        self.handlers = handlers
        self.max_attempts = max_attempts
        # Called after each command that stored events, with its position and the events'
        # topics (empty when not known), so followers can wake only for what they follow.
        self.listeners: list[Callable[[int, frozenset[str]], None]] = []

    def dispatch(self, command: Command[R]) -> Outcome[R]:
        handler = self.handlers.get(type(command))
        if handler is None:
            raise LookupError(f"no handler for {type(command).__name__}")
        for attempt in range(self.max_attempts):
            uow = UnitOfWork(self.store, self.services, self.committer, self.locks)
            try:
                value = handler(command, uow)
            except IntegrityError:
                uow.release()
                # Another writer appended to one of our aggregates first: decide again,
                # after a jittered pause so that contenders spread out.
                time.sleep(random.uniform(0, min(0.05, 0.001 * 2**attempt)))
                continue
            except BaseException:
                uow.release()
                raise
            uow.release()
            if uow.position:
                for listener in self.listeners:
                    listener(uow.position, uow.topics)
            return Outcome(cast(R, value), uow.position)
        raise Conflict("Too many concurrent changes to this resource; try again.")
