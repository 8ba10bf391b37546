"""Aggregates brought up to date from the cache, several with one query.

The library's repository fast-forwards a cached aggregate with one query per
aggregate, so a review that reads its card, the card's course and the owner's
profile paid three round trips. Here the events stored after each cached
version of every aggregate asked for come in one query, and each aggregate takes
its own under a lock of its own, as the library's fast-forward does. An aggregate
not in the cache is built from all its events, in the same query, and cached,
unless a command takes it to change: then it is that command's alone (no copy
needed) until the command has saved it (`keep`).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import StoredEvent

if TYPE_CHECKING:
    from aksio.core.store import EventStore

A = TypeVar("A", bound=Aggregate)
STRIPES = 64  # locks, each shared by the aggregates whose id falls on it


class Loader:
    def __init__(self, store: EventStore) -> None:
        self.store = store
        self._locks = [threading.Lock() for _ in range(STRIPES)]
        self._owned: dict[tuple[UUID, type], set[UUID]] = {}  # (owner, kind) -> cached ids

    def owned(self, owner_id: UUID, kind: type, limit: int = 8) -> list[UUID]:
        """Ids of the owner's aggregates of `kind` in the cache now: a hint, like `cached`."""
        known = tuple(self._owned.get((owner_id, kind), ()))  # a copy: other threads add
        ids = [i for i in known if self.cached(i) is not None]
        return ids[:limit]

    def _put(self, aggregate: Aggregate) -> None:
        cache = self.store.repository.cache
        assert cache is not None
        cache.put(aggregate.id, aggregate)
        owner = getattr(aggregate, "owner_id", None)
        if isinstance(owner, UUID):
            self._owned.setdefault((owner, type(aggregate)), set()).add(aggregate.id)

    def cached(self, aggregate_id: UUID) -> Any:
        """The cached instance as it is (it may be behind the store), or None: a hint only."""
        cache = self.store.repository.cache
        try:
            return cache.get(aggregate_id) if cache is not None else None
        except KeyError:
            return None

    def fresh(
        self, ids: Sequence[UUID], take: Collection[UUID] = ()
    ) -> dict[UUID, Aggregate | None]:
        """Each aggregate as stored now (None when it has no events). Those in `take` are the
        caller's own to change; the others are the cache's, not to be changed."""
        repository = self.store.repository
        if repository.cache is None or repository.snapshot_store is not None:
            return {i: self._reconstructed(i) for i in ids}
        wanted = list(dict.fromkeys(ids))
        versions = {i: getattr(self.cached(i), "version", 0) for i in wanted}
        stored = _select_after(self.store, versions)
        to_event = self.store.mapper.to_domain_event
        found: dict[UUID, Aggregate | None] = {}
        for aggregate_id in wanted:
            news = stored.get(aggregate_id, [])
            with self._locks[aggregate_id.int % STRIPES]:
                aggregate = self.cached(aggregate_id)  # perhaps moved on since the query
                shared = aggregate is not None
                for record in news:
                    if aggregate is None or record.originator_version > aggregate.version:
                        aggregate = to_event(record).mutate(aggregate)  # type: ignore[attr-defined]
                if aggregate is not None and aggregate_id in take:
                    aggregate = copy.deepcopy(aggregate) if shared else aggregate
                elif aggregate is not None:
                    self._put(aggregate)
            found[aggregate_id] = aggregate
        return found

    def keep(self, aggregate: Aggregate) -> None:
        """Caches a saved aggregate (the command is done with it), unless a newer is cached."""
        cache = self.store.repository.cache
        if cache is None:
            return
        with self._locks[aggregate.id.int % STRIPES]:
            cached = self.cached(aggregate.id)
            if cached is None or cached.version < aggregate.version:
                self._put(aggregate)

    def copy(self, aggregate: A) -> A:
        """A deep copy of a cached aggregate, made while no fast-forward changes it."""
        with self._locks[aggregate.id.int % STRIPES]:
            return copy.deepcopy(aggregate)

    def _reconstructed(self, aggregate_id: UUID) -> Aggregate | None:
        from eventsourcing.application import AggregateNotFoundError

        try:
            aggregate: Aggregate = self.store.repository.get(
                aggregate_id, deepcopy_from_cache=False
            )
        except AggregateNotFoundError:
            return None
        return aggregate


def _select_after(store: EventStore, versions: dict[UUID, int]) -> dict[UUID, list[StoredEvent]]:
    """The stored events of each aggregate after its version, in version order."""
    recorder: Any = store.recorder
    select_after = getattr(recorder, "select_events_after", None)
    if select_after is not None:
        records: list[StoredEvent] = select_after(versions)
    else:
        records = [e for i, v in versions.items() for e in recorder.select_events(i, gt=v)]
    grouped: dict[UUID, list[StoredEvent]] = {}
    for record in records:
        key = record.originator_id
        grouped.setdefault(key if isinstance(key, UUID) else UUID(str(key)), []).append(record)
    return grouped
