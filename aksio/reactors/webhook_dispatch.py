"""The `WebhookDispatcher` reactor: turns public events into signed webhook deliveries.

Following the log it schedules one `WebhookDelivery` per (subscribed endpoint,
event), whose id is derived from both, so replays after a crash never make a new
delivery or a new `webhook-id`. Sending is a separate pass over the deliveries
that the read model says are due by the injected clock, so pending retries
survive restarts. Receivers are called in parallel with a time-out and a cap
on the answer's size: one slow or huge receiver cannot hold up the others.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Protocol, cast
from uuid import UUID

import httpx
import sqlalchemy as sa
from eventsourcing.domain import DomainEvent
from sqlalchemy.engine import Connection, Engine

from aksio.aggregates.webhooks.endpoint import WEBHOOK_EVENT_TYPES, WebhookEndpoint
from aksio.commands.bus import CommandBus
from aksio.commands.webhooks import (
    Attempt,
    DisableWebhook,
    RecordDeliveryAttempts,
    ScheduleDeliveries,
)
from aksio.core.clock import Clock
from aksio.core.errors import DomainError
from aksio.core.public_events import (
    public_type,
    public_type_of_topic,
    to_public,
    webhook_payload,
)
from aksio.core.store import EventStore
from aksio.integrations.signing import SecretBox, signed_headers, signing_key
from aksio.projections import webhooks as q
from aksio.projections.engine.db import tracking
from aksio.projections.engine.locks import Locks
from aksio.reactors.runner import EventReactor, ReactorRunner

logger = logging.getLogger(__name__)
DUE_CHECK_S = 0.5  # how often retries coming due are looked for
ENDPOINT_TOPICS = WebhookEndpoint.TOPIC + "."  # the only events that change subscriptions
Observer = Callable[[str], None]


class UrlPolicy(Protocol):
    def validate(self, url: str) -> None:
        """Raises a DomainError for a URL the server must not call."""
        ...


def parse_schedule(text: str) -> list[int]:
    """`"5,30,120"` -> [5, 30, 120]: seconds to wait before each retry."""
    return [int(part) for part in text.replace(" ", "").split(",") if part]


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        code = self.status_code
        return self.error is None and code is not None and 200 <= code < 300


class Sender:
    """POSTs one signed delivery; never raises, never waits past `timeout` seconds."""

    def __init__(self, timeout: float = 10.0, max_response_bytes: int = 64 * 1024) -> None:
        self.timeout = timeout
        self.max_response_bytes = max_response_bytes
        self.client = httpx.Client(
            timeout=httpx.Timeout(timeout), follow_redirects=False, trust_env=False
        )

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> Answer:
        began = time.monotonic()
        try:
            with self.client.stream("POST", url, content=body, headers=headers) as response:
                size = 0
                for chunk in response.iter_raw(16 * 1024):
                    size += len(chunk)
                    if size > self.max_response_bytes:
                        return Answer(response.status_code, "response too large")
                    if time.monotonic() - began > self.timeout:
                        return Answer(response.status_code, "timed out reading the response")
                return Answer(response.status_code, None)
        except httpx.TimeoutException:
            return Answer(None, "timed out")
        except httpx.HTTPError as exc:
            return Answer(None, f"{type(exc).__name__}: {exc}"[:300])

    def close(self) -> None:
        self.client.close()


class WebhookDispatcher(EventReactor):
    name = "webhooks"
    projection: ClassVar[str] = "webhooks"

    def __init__(
        self,
        bus: CommandBus,
        clock: Clock,
        secrets: SecretBox,
        guard: UrlPolicy,
        schedule: list[int],
        *,
        sender: Sender | None = None,
        workers: int = 16,
        batch: int = 200,
    ) -> None:
        self.bus = bus
        self.clock = clock
        self.secrets = secrets
        self.guard = guard
        self.schedule = schedule
        self.sender = sender or Sender()
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="webhook-send")
        self.batch = batch
        self.engine: Engine | None = None
        self.written = 0  # position of our latest command: the read model must reach it
        self.observers: list[Observer] = []
        # The event types anyone subscribes to, as the read model showed them once it had
        # every endpoint event seen in the log so far; None until read (again).
        self._subscribed: set[str] | None = None
        self._changed_at = 0  # position of the latest endpoint event seen in the log

    def make_runner(self, store: EventStore, engine: Engine, locks: Locks) -> ReactorRunner:
        self.engine = engine
        return DispatcherRunner(self, store, engine, locks)

    # -- scheduling ------------------------------------------------------------------
    def follows(self, topic: str) -> bool:
        return public_type_of_topic(topic) in WEBHOOK_EVENT_TYPES

    def wanted(self, topic: str) -> bool:
        """Whether an event of a followed `topic` may have subscribers: one of a type that
        nobody subscribes to is skipped without being decoded (nor waking the follower)."""
        subscribed = self._subscribed
        return subscribed is None or public_type_of_topic(topic) in subscribed

    def saw(self, topic: str, position: int) -> None:
        """Notes an endpoint event passing in the log: subscriptions are read again once the
        read model shows it. A runner (re)claiming the reactor notes one at its saved position,
        as it has not seen those before it (another process may have)."""
        if topic.startswith(ENDPOINT_TOPICS):
            self._subscribed = None
            self._changed_at = position

    def subscriptions_ready(self) -> bool:
        """Reads the subscribed types once the read model shows every endpoint event seen;
        False while it does not (the follower stops before the event and tries again)."""
        if self._subscribed is not None:
            return True
        assert self.engine is not None
        with self.engine.connect() as conn:
            if _projected(conn, self.projection) < self._changed_at:
                return False
            self._subscribed = q.subscribed_types(conn)
        return True

    def react(self, event: DomainEvent, position: int) -> None:
        kind = public_type(event)
        if kind not in WEBHOOK_EVENT_TYPES or not self.subscriptions_ready():
            return
        assert self._subscribed is not None and self.engine is not None
        if kind not in self._subscribed:
            return
        with self.engine.connect() as conn:
            owner = self._owner_of(event)
            targets = q.subscribed_endpoints(conn, owner, kind) if owner else []
        if not targets:
            return
        payload = webhook_payload(to_public(position, event))
        self._run(
            ScheduleDeliveries(
                endpoint_ids=targets, event_id=payload["id"], event_type=kind, payload=payload
            )
        )

    def _owner_of(self, event: DomainEvent) -> UUID | None:
        owner = getattr(event, "owner_id", None)
        if owner is None:
            aggregate: Any = self.bus.store.repository.get(
                event.originator_id, version=event.originator_version
            )
            owner = getattr(aggregate, "owner_id", None)
        return owner if isinstance(owner, UUID) else None

    def _run(self, command: Any) -> Any:
        outcome = self.bus.dispatch(command)
        self.written = max(self.written, outcome.position)
        return outcome.value

    # -- sending ---------------------------------------------------------------------
    def read_model_ready(self) -> bool:
        """True once the webhooks read model shows every command this dispatcher ran."""
        assert self.engine is not None
        with self.engine.connect() as conn:
            return _projected(conn, self.projection) >= self.written

    def deliver_due(self) -> int | None:
        """Sends every due delivery once; returns how many were tried, or None while the read
        model does not show this dispatcher's own commands yet."""
        assert self.engine is not None
        if not self.read_model_ready():
            return None
        now = self.clock.now()
        with self.engine.connect() as conn:
            due = q.due_deliveries(conn, now, self.batch)
        if not due:
            return 0
        timestamp = int(now.timestamp())
        answers = list(self.pool.map(lambda row: self._send(row, timestamp), due))
        self._record(due, answers, now)
        return len(due)

    def _send(self, row: dict[str, Any], timestamp: int) -> Answer:
        try:
            self.guard.validate(row["url"])
            key = signing_key(self.secrets.open(row["sealed_secret"]), row["key_format"])
        except (DomainError, ValueError) as exc:
            return Answer(None, str(getattr(exc, "message", exc)))
        body = json.dumps(row["payload"], separators=(",", ":")).encode()
        webhook_id = f"msg_{row['id'].hex}"
        headers = signed_headers(key, webhook_id, timestamp, body)
        return self.sender.post(row["url"], body, headers)

    def _record(self, due: list[dict[str, Any]], answers: list[Answer], now: datetime) -> None:
        tries = [
            Attempt(row["id"], row["attempts"] + 1, answer.status_code, answer.error)
            for row, answer in zip(due, answers, strict=True)
        ]
        command = RecordDeliveryAttempts(attempts=tries, attempted_at=now, schedule=self.schedule)
        statuses: dict[UUID, str] = self._run(command)
        disabled: set[UUID] = set()
        for row, answer in zip(due, answers, strict=True):
            for observer in self.observers:
                observer("delivered" if answer.ok else "failed")
            if statuses.get(row["id"]) == "failed" and row["endpoint_id"] not in disabled:
                gone = answer.status_code == 410
                reason = (
                    "the receiver answered 410 Gone" if gone else "a delivery used up its retries"
                )
                self._run(DisableWebhook(webhook_id=row["endpoint_id"], reason=reason))
                disabled.add(row["endpoint_id"])

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.sender.close()


class DispatcherRunner(ReactorRunner):
    """Follows the log like any reactor, then sends whatever is due: after it scheduled
    deliveries, every `DUE_CHECK_S` for retries coming due, and on every drain."""

    reactor: WebhookDispatcher
    _checked = 0  # the dispatcher's command position at the last look at due deliveries
    _next_check = 0.0

    def _handle(self, settle: bool) -> int:
        written = self.reactor.written
        claimed = self.position is None  # read from the database by `_page`
        notifications = self._page()
        if claimed:
            self.reactor.saw(ENDPOINT_TOPICS, self.position or 0)
        handled = 0
        for notification in notifications:
            topic = notification.topic
            self.reactor.saw(topic, notification.id)
            if self.follows(topic):
                if not self.reactor.subscriptions_ready():
                    break  # the read model lags the endpoint events: next run
                event = cast(DomainEvent, self.store.mapper.to_domain_event(notification))
                self.reactor.react(event, notification.id)
            self.position = notification.id
            handled += 1
        scheduled = self.reactor.written != written
        # Saved per batch that scheduled deliveries: a crash repeats the batch, and
        # scheduling is idempotent.
        self._save_moved(settle or scheduled)
        now = time.monotonic()
        look = settle or self.reactor.written != self._checked or now >= self._next_check
        if look and self.reactor.deliver_due() is not None:
            self._checked, self._next_check = self.reactor.written, now + DUE_CHECK_S
        return handled

    def follows(self, topic: str) -> bool:
        return super().follows(topic) and self.reactor.wanted(topic)

    def wake(self, _position: int = 0, topics: frozenset[str] = frozenset()) -> None:
        """Also wakes for endpoint events, so new subscriptions are read at once."""
        if any(topic.startswith(ENDPOINT_TOPICS) for topic in topics):
            self._wake.set()
        else:
            super().wake(_position, topics)

    def stop(self) -> None:
        super().stop()
        self.reactor.close()


def _projected(conn: Connection, projection: str) -> int:
    """The log position a projection's read model shows."""
    query = sa.select(tracking.c.position).where(tracking.c.name == projection)
    return int(conn.execute(query).scalar() or 0)


def webhook_dispatcher(bus: CommandBus, schedule: str) -> WebhookDispatcher:
    """The dispatcher wired to the adapters that `bootstrap.build` put on the services."""
    services = bus.services
    return WebhookDispatcher(
        bus,
        services.clock,
        services.secret_box,
        services.fetcher,
        parse_schedule(schedule),
    )
