"""Isolating a failing event: one aggregate in one projection waits, everyone else goes on.

A batch is one transaction, so an event that fails (in a projection's code or
when its rows are written) fails the whole batch. The runner then applies the
batch again, event by event and projection by projection, each in a savepoint
of one transaction: an event that fails there is rolled back alone and its
aggregate is quarantined in that projection (see `quarantine`); the other
events, the other projections and the tracked position commit together as
usual. A retry replays a quarantined aggregate's held-back events in order,
in one transaction, and releases it when they all apply.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, cast
from uuid import UUID

from eventsourcing.domain import DomainEvent
from eventsourcing.persistence import Notification
from eventsourcing.utils import get_topic

from aksio.core.faults import is_transient
from aksio.projections.engine import quarantine
from aksio.projections.engine.leases import fenced_positions
from aksio.projections.engine.quarantine import Held

if TYPE_CHECKING:
    from aksio.projections.engine.runner import ProjectionRunner

logger = logging.getLogger(__name__)
SCAN_PAGE = 5000
NOTHING: frozenset[UUID] = frozenset()


def apply_carefully(runner: ProjectionRunner, notifications: Sequence[Notification]) -> list[Held]:
    """Applies a batch event by event; returns the quarantines it recorded."""
    routes = runner._routes()
    positions = runner.positions
    rows = runner.rows
    new: dict[tuple[str, object], Held] = {}
    with runner.engine.begin() as conn:
        rows.begin(conn)
        runner._record(conn, notifications[-1].id, every=True)  # a write first: SQLite needs it
        for notification in notifications:
            event: DomainEvent | None = None
            for projection in routes.get(notification.topic, ()):
                key = (projection.name, notification.originator_id)
                if notification.id <= positions[projection.name] or key in new:
                    continue
                if notification.originator_id in runner.holds.of(projection.name):
                    continue
                savepoint = conn.begin_nested()
                try:
                    if event is None:
                        event = cast(DomainEvent, runner.store.mapper.to_domain_event(notification))
                    projection.apply(event, rows)
                    rows.flush()
                    savepoint.commit()
                except Exception as error:
                    savepoint.rollback()
                    rows.reset()  # drops what the failed event changed in memory
                    if is_transient(error):
                        raise
                    held = Held(
                        name=projection.name,
                        originator_id=UUID(str(notification.originator_id)),
                        position=notification.id,
                        topic=notification.topic,
                        error=quarantine.describe(error),
                        since=quarantine.now(),
                    )
                    logger.error(
                        "projection %s quarantines aggregate %s at event %s: %s",
                        held.name, held.originator_id, held.position, held.error,
                    )  # fmt: skip
                    quarantine.record(conn, held)
                    new[key] = held
    return list(new.values())


def _held_back(runner: ProjectionRunner, held: Held) -> list[Notification]:
    """The aggregate's events the projection skipped: from the quarantine to its position."""
    projection = next(p for p in runner.owned if p.name == held.name)
    topics = {get_topic(t) for t in projection.handled_types()}
    found: list[Notification] = []
    after = held.position - 1
    stop = runner.positions[held.name]
    while after < stop:
        page = runner.store.read(after=after, limit=SCAN_PAGE)
        if not page:
            break
        for notification in page:
            if notification.id > stop:
                return found
            if notification.originator_id == held.originator_id and notification.topic in topics:
                found.append(notification)
        after = page[-1].id
    return found


def retry(runner: ProjectionRunner, held: Held) -> bool:
    """Replays one quarantined aggregate (under the runner's batch lock); True if released."""
    projection = next((p for p in runner.owned if p.name == held.name), None)
    if projection is None:
        return False
    notifications = _held_back(runner, held)
    rows = runner.rows
    try:
        with runner.engine.begin() as conn:
            rows.begin(conn)
            # the projection's position as it is: only to check the lease in this transaction
            fenced_positions(conn, [held.name], runner.token, runner.positions[held.name])
            for notification in notifications:
                event = cast(DomainEvent, runner.store.mapper.to_domain_event(notification))
                projection.apply(event, rows)
            rows.flush()
            quarantine.release(conn, held.name, held.originator_id)
    except Exception as error:
        rows.reset()
        if is_transient(error):
            raise
        logger.error(
            "retrying quarantined %s in %s failed: %s", held.originator_id, held.name, error
        )
        with runner.engine.begin() as conn:
            quarantine.failed_again(conn, held, quarantine.describe(error))
        return False
    logger.info("released %s in %s (%d events)", held.originator_id, held.name, len(notifications))
    return True


class Holds:
    """The aggregates each projection holds back, as its owner knows them, and who to tell
    when that changes (the process's `HeldWatch`)."""

    def __init__(self) -> None:
        self.by_projection: dict[str, frozenset[UUID]] = {}
        self.listeners: list[Callable[[], None]] = []

    def __bool__(self) -> bool:
        return any(self.by_projection.values())

    def of(self, name: str) -> frozenset[UUID]:
        return self.by_projection.get(name, NOTHING)

    def ids(self) -> frozenset[UUID]:
        return NOTHING.union(*self.by_projection.values())

    def add(self, holds: Sequence[Held]) -> None:
        changed = False
        for held in holds:
            current = self.of(held.name)
            if held.originator_id not in current:
                self.by_projection[held.name] = current | {held.originator_id}
                changed = True
        if changed:
            self._tell()

    def remove(self, name: str, originator_id: UUID) -> None:
        self.by_projection[name] = self.of(name) - {originator_id}
        self._tell()

    def clear(self, names: Sequence[str]) -> None:
        for name in names:
            self.by_projection.pop(name, None)
        self._tell()

    def _tell(self) -> None:
        for listener in self.listeners:
            listener()
