"""Read model of webhooks: endpoints, who subscribes to what, deliveries and their attempts.

The dispatcher reads it too: which endpoints want an event, and which deliveries
are due (pending with `next_attempt_at` at or before now).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from aksio.aggregates.webhooks.delivery import WebhookDelivery
from aksio.aggregates.webhooks.endpoint import WebhookEndpoint
from aksio.projections.engine.base import Projection, Row, Rows, handles
from aksio.projections.engine.db import UtcDateTime, metadata
from aksio.projections.engine.paging import Page, paged

endpoints = sa.Table(
    "rm_webhooks",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("owner_id", sa.Uuid, nullable=False, index=True),
    sa.Column("url", sa.String, nullable=False),
    sa.Column("events", sa.JSON, nullable=False),
    sa.Column("sealed_secret", sa.String, nullable=False),
    sa.Column("key_format", sa.String, nullable=False),
    sa.Column("status", sa.String, nullable=False),
    sa.Column("disabled_reason", sa.String),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

subscriptions = sa.Table(
    "rm_webhook_subscriptions",
    metadata,
    sa.Column("endpoint_id", sa.Uuid, primary_key=True),
    sa.Column("event_type", sa.String, primary_key=True),
    sa.Column("owner_id", sa.Uuid, nullable=False, index=True),
    sa.Column("active", sa.Boolean, nullable=False),
)

deliveries = sa.Table(
    "rm_webhook_deliveries",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("endpoint_id", sa.Uuid, nullable=False, index=True),
    sa.Column("owner_id", sa.Uuid, nullable=False),
    sa.Column("event_id", sa.String, nullable=False),
    sa.Column("event_type", sa.String, nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("status", sa.String, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("next_attempt_at", UtcDateTime, index=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

attempts = sa.Table(
    "rm_webhook_attempts",
    metadata,
    sa.Column("delivery_id", sa.Uuid, primary_key=True),
    sa.Column("attempt", sa.Integer, primary_key=True),
    sa.Column("endpoint_id", sa.Uuid, nullable=False, index=True),
    sa.Column("event_id", sa.String, nullable=False),
    sa.Column("event_type", sa.String, nullable=False),
    sa.Column("status_code", sa.Integer),
    sa.Column("error", sa.String),
    sa.Column("outcome", sa.String, nullable=False),
    sa.Column("attempted_at", UtcDateTime, nullable=False),
    sa.Column("next_attempt_at", UtcDateTime),
)


class WebhooksProjection(Projection):
    name = "webhooks"
    version = 2  # 2: endpoints keep their secret's key format
    tables = (endpoints, subscriptions, deliveries, attempts)

    @handles(WebhookEndpoint.Created)
    def created(self, e: WebhookEndpoint.Created, rows: Rows) -> None:
        row = {
            "id": e.originator_id,
            "owner_id": e.owner_id,
            "url": e.url,
            "events": list(e.events),
            "sealed_secret": e.sealed_secret,
            "key_format": e.key_format,
            "status": "active",
            "created_at": e.timestamp,
            "updated_at": e.timestamp,
        }
        rows.put(endpoints, row)
        _subscribe(rows, row, [])

    @handles(WebhookEndpoint.Updated)
    def updated(self, e: WebhookEndpoint.Updated, rows: Rows) -> None:
        before = rows.get(endpoints, e.originator_id)
        changes = {k: v for k, v in e.changes.items() if k in ("url", "events")}
        after = rows.update(endpoints, e.originator_id, **changes, updated_at=e.timestamp)
        if before is not None and after is not None:
            _subscribe(rows, after, before["events"])

    @handles(WebhookEndpoint.SecretRotated)
    def secret_rotated(self, e: WebhookEndpoint.SecretRotated, rows: Rows) -> None:
        rows.update(
            endpoints,
            e.originator_id,
            sealed_secret=e.sealed_secret,
            key_format=e.key_format,
            updated_at=e.timestamp,
        )

    @handles(WebhookEndpoint.Disabled)
    def disabled(self, e: WebhookEndpoint.Disabled, rows: Rows) -> None:
        self._status(e, rows, "disabled", e.reason)

    @handles(WebhookEndpoint.Enabled)
    def enabled(self, e: WebhookEndpoint.Enabled, rows: Rows) -> None:
        self._status(e, rows, "active", None)

    @handles(WebhookEndpoint.Deleted)
    def deleted(self, e: WebhookEndpoint.Deleted, rows: Rows) -> None:
        self._status(e, rows, "deleted", None)

    def _status(
        self, e: WebhookEndpoint.Event, rows: Rows, status: str, reason: str | None
    ) -> None:
        row = rows.update(
            endpoints,
            e.originator_id,
            status=status,
            disabled_reason=reason,
            updated_at=e.timestamp,
        )
        if row is not None:
            _subscribe(rows, row, row["events"])

    @handles(WebhookDelivery.Created)
    def delivery_created(self, e: WebhookDelivery.Created, rows: Rows) -> None:
        rows.put(
            deliveries,
            {
                "id": e.originator_id,
                "endpoint_id": e.endpoint_id,
                "owner_id": e.owner_id,
                "event_id": e.event_id,
                "event_type": e.event_type,
                "payload": e.payload,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": e.due_at,
                "created_at": e.timestamp,
                "updated_at": e.timestamp,
            },
        )

    @handles(WebhookDelivery.AttemptRecorded)
    def attempt_recorded(self, e: WebhookDelivery.AttemptRecorded, rows: Rows) -> None:
        status = "pending" if e.outcome == "retrying" else e.outcome
        row = rows.update(
            deliveries,
            e.originator_id,
            status=status,
            attempts=e.attempt,
            next_attempt_at=e.next_attempt_at,
            updated_at=e.timestamp,
        )
        if row is None:
            return
        rows.put(
            attempts,
            {
                "delivery_id": e.originator_id,
                "attempt": e.attempt,
                "endpoint_id": row["endpoint_id"],
                "event_id": row["event_id"],
                "event_type": row["event_type"],
                "status_code": e.status_code,
                "error": e.error,
                "outcome": e.outcome,
                "attempted_at": e.attempted_at,
                "next_attempt_at": e.next_attempt_at,
            },
        )


def _subscribe(rows: Rows, endpoint: Row, previous: list[str]) -> None:
    """Keeps the (endpoint, event type) pairs in step with the endpoint's row."""
    for event_type in previous:
        if event_type not in endpoint["events"]:
            rows.delete(subscriptions, (endpoint["id"], event_type))
    for event_type in endpoint["events"]:
        rows.put(
            subscriptions,
            {
                "endpoint_id": endpoint["id"],
                "event_type": event_type,
                "owner_id": endpoint["owner_id"],
                "active": endpoint["status"] == "active",
            },
        )


# -- queries -------------------------------------------------------------------------
def list_webhooks(conn: Connection, owner_id: UUID, page: int, page_size: int) -> Page:
    query = sa.select(endpoints).where(
        endpoints.c.owner_id == owner_id, endpoints.c.status != "deleted"
    )
    return paged(conn, query.order_by(endpoints.c.created_at, endpoints.c.id), page, page_size)


def get_webhook(conn: Connection, owner_id: UUID, webhook_id: UUID) -> Row | None:
    found = (
        conn.execute(
            sa.select(endpoints).where(
                endpoints.c.id == webhook_id,
                endpoints.c.owner_id == owner_id,
                endpoints.c.status != "deleted",
            )
        )
        .mappings()
        .first()
    )
    return dict(found) if found else None


def list_attempts(conn: Connection, endpoint_id: UUID, page: int, page_size: int) -> Page:
    query = sa.select(attempts).where(attempts.c.endpoint_id == endpoint_id)
    order = (attempts.c.attempted_at.desc(), attempts.c.delivery_id, attempts.c.attempt.desc())
    return paged(conn, query.order_by(*order), page, page_size)


def subscribed_types(conn: Connection) -> set[str]:
    """The event types that at least one active endpoint subscribes to."""
    query = sa.select(subscriptions.c.event_type).where(subscriptions.c.active.is_(True))
    return {row[0] for row in conn.execute(query.distinct())}


def subscribed_endpoints(conn: Connection, owner_id: UUID, event_type: str) -> list[UUID]:
    query = sa.select(subscriptions.c.endpoint_id).where(
        subscriptions.c.owner_id == owner_id,
        subscriptions.c.event_type == event_type,
        subscriptions.c.active.is_(True),
    )
    return [row[0] for row in conn.execute(query.order_by(subscriptions.c.endpoint_id))]


def due_deliveries(conn: Connection, now: datetime, limit: int) -> list[Row]:
    """Pending deliveries due by `now` to active endpoints, with the endpoint's URL, secret and
    key format."""
    query = (
        sa.select(
            deliveries,
            endpoints.c.url,
            endpoints.c.sealed_secret,
            endpoints.c.key_format,
        )
        .join(endpoints, endpoints.c.id == deliveries.c.endpoint_id)
        .where(
            deliveries.c.status == "pending",
            deliveries.c.next_attempt_at <= now,
            endpoints.c.status == "active",
        )
        .order_by(deliveries.c.next_attempt_at, deliveries.c.id)
        .limit(limit)
    )
    return [dict(row) for row in conn.execute(query).mappings()]
