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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast
from uuid import UUID

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

    def acquire(self, key: UUID) -> bool | None:
        """True when had at once, None when had after waiting (another command held it),
        False when not had within `timeout`."""
        with self._guard:
            lock, users = self._locks.get(key, (threading.Lock(), 0))
            self._locks[key] = (lock, users + 1)
        if lock.acquire(blocking=False):
            return True
        if lock.acquire(timeout=self.timeout):
            return None
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
        self._fresh: dict[UUID, Aggregate | None] = {}
        self._own: dict[UUID, Aggregate | None] = {}  # handed out by `load`, to change

    def release(self) -> None:
        if self.locks is not None:
            for key in reversed(self.held):
                self.locks.release(key)
        self.held.clear()

    def prefetch(self, *ids: UUID | None, change: Sequence[UUID] = ()) -> None:
        """Brings these aggregates up to date with one query (see `aksio.core.loading`), and
        those to `change` (`load`) too; a `load` or `peek` of one of them in this command
        then needs no query of its own."""
        for aggregate_id in change:
            self._lock(aggregate_id)
        wanted = [i for i in (*change, *ids) if i is not None and i not in self._fresh]
        if wanted:
            changing = set(change) - self._own.keys()
            found = self.store.loader.fresh(wanted, take=changing)
            for aggregate_id in changing:
                self._own[aggregate_id] = found[aggregate_id]
            self._fresh.update(found)

    def _lock(self, aggregate_id: UUID) -> None:
        locks = self.locks
        if locks is not None and aggregate_id not in self.held:
            had = locks.acquire(aggregate_id)
            if had is not False:
                self.held.append(aggregate_id)
            if had is None:  # another command changed it meanwhile, perhaps: read it again
                self._fresh.pop(aggregate_id, None)
                self._own.pop(aggregate_id, None)

    def _current(self, aggregate_id: UUID) -> Aggregate | None:
        if aggregate_id not in self._fresh:
            self._fresh.update(self.store.loader.fresh([aggregate_id]))
        return self._fresh[aggregate_id]

    def load(self, kind: type[A], aggregate_id: UUID, *, owner_id: UUID | None = None) -> A:
        """The aggregate to change, a copy of its current state; NotFound when it is missing,
        of another kind or another owner's."""
        self._lock(aggregate_id)
        if aggregate_id not in self._own:
            if aggregate_id in self._fresh:  # peeked or prefetched: the cache's own
                shared = self._fresh[aggregate_id]
                self._own[aggregate_id] = shared and self.store.loader.copy(shared)
            else:
                found = self.store.loader.fresh([aggregate_id], take=[aggregate_id])
                self._own[aggregate_id] = self._fresh[aggregate_id] = found[aggregate_id]
        aggregate = self._own[aggregate_id]
        if not isinstance(aggregate, kind):
            raise NotFound(kind.__name__)
        if owner_id is not None and getattr(aggregate, "owner_id", None) != owner_id:
            raise NotFound(kind.__name__)
        return aggregate

    def peek(self, kind: type[A], aggregate_id: UUID, *, owner_id: UUID | None = None) -> A | None:
        """An aggregate the handler reads but does not change: current, not copied and not
        locked (it must not be changed); None where `load` raises NotFound."""
        aggregate = self._current(aggregate_id)
        if not isinstance(aggregate, kind):
            return None
        if owner_id is not None and getattr(aggregate, "owner_id", None) != owner_id:
            return None
        return aggregate

    def hint(self, aggregate_id: UUID) -> Any:
        """The cached state of an aggregate, possibly behind the store: only to guess which
        other aggregates to `prefetch` with it."""
        return self.store.loader.cached(aggregate_id)

    def owned_hint(self, owner_id: UUID, kind: type[Aggregate]) -> list[UUID]:
        """Ids of the owner's aggregates of `kind` in the cache: a guess, like `hint`."""
        return self.store.loader.owned(owner_id, kind)

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
        else:
            recordings = self.store.save(*aggregates)
            if recordings:
                self.position = max(r.notification.id for r in recordings)
        for aggregate in aggregates:  # stored: the next command starts from this state
            self.store.loader.keep(aggregate)
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
