"""Group commit: concurrent commands share one event-store transaction.

Each command's handler runs on its own thread and stages its new events here.
One waiting thread at a time leads: it takes every staged batch and appends
them all with one insert, then hands leadership to the next waiter. Every
command still gets its own positions, and a conflict stays with the command
that caused it: two commands on one aggregate in the same group, or a clash
with another process's write, fail only that command (the bus then retries it).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

if TYPE_CHECKING:
    from aksio.core.store import EventStore


@dataclass
class _Ticket:
    events: Sequence[Any]
    done: threading.Event = field(default_factory=threading.Event)
    wake: threading.Event = field(default_factory=threading.Event)  # done, or asked to lead
    lead: bool = False
    position: int = 0
    error: BaseException | None = None


class GroupCommitter:
    def __init__(self, store: EventStore, max_group: int = 500) -> None:
        self.store = store
        self.max_group = max_group
        self._lock = threading.Lock()
        self._queue: list[_Ticket] = []
        self._leading = False

    def commit(self, events: Sequence[Any]) -> int:
        """Appends the events atomically; returns the last one's position."""
        ticket = _Ticket(events)
        with self._lock:
            self._queue.append(ticket)
            if not self._leading:
                self._leading = ticket.lead = True
        while not ticket.done.is_set():
            if ticket.lead:
                self._lead()
            else:
                ticket.wake.wait()
                ticket.wake.clear()
        if ticket.error is not None:
            raise ticket.error
        return ticket.position

    def _lead(self) -> None:
        with self._lock:
            batch, self._queue = self._queue[: self.max_group], self._queue[self.max_group :]
        try:
            self._write(batch)
        finally:
            for ticket in batch:
                if not ticket.done.is_set():
                    ticket.error = ticket.error or RuntimeError("group commit aborted")
                    ticket.done.set()
                ticket.wake.set()
            with self._lock:
                if self._queue:
                    self._queue[0].lead = True
                    self._queue[0].wake.set()
                else:
                    self._leading = False

    def _write(self, batch: list[_Ticket]) -> None:
        seen: set[UUID] = set()
        accepted: list[_Ticket] = []
        for ticket in batch:
            ids = {e.originator_id for e in ticket.events}
            if ids & seen:
                # Decided on a version that an earlier command of this group replaces;
                # it fails once that command is stored (finally in `_lead`), then retries.
                ticket.error = IntegrityError("aggregate changed by another command in the group")
                continue
            seen |= ids
            accepted.append(ticket)
        try:
            recordings = self.store.events.put([e for t in accepted for e in t.events])
        except IntegrityError:
            for ticket in accepted:  # find the culprits: each command on its own
                self._write_one(ticket)
            return
        except Exception as error:
            for ticket in accepted:
                ticket.error = error
                ticket.done.set()
            return
        offset = 0
        for ticket in accepted:
            count = len(ticket.events)
            mine = recordings[offset : offset + count]
            ticket.position = max((r.notification.id for r in mine), default=0)
            offset += count
            ticket.done.set()

    def _write_one(self, ticket: _Ticket) -> None:
        try:
            recordings = self.store.events.put(list(ticket.events))
            ticket.position = max((r.notification.id for r in recordings), default=0)
        except Exception as error:
            ticket.error = error
        ticket.done.set()
