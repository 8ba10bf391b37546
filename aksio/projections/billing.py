"""Read model of billing: each user's plan, their metered AI tokens, and quota checks.

Documents and storage are counted by the documents read model; this module
only asks it (`document_usage`) when it exists.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime
from typing import Any, Literal
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from aksio.aggregates.billing.plans import DEFAULT_PLAN, MB, PLANS, Plan
from aksio.aggregates.billing.subscription import Subscription, subscription_id
from aksio.aggregates.billing.usage import UsageMeter, meter_id, period_of
from aksio.core.errors import QuotaExceeded
from aksio.projections.documents import projection as documents_rm
from aksio.projections.engine.base import Projection, Row, Rows, handles
from aksio.projections.engine.db import UtcDateTime, metadata

QuotaKind = Literal["ai_tokens", "documents", "storage"]

subscriptions = sa.Table(
    "rm_billing_subscriptions",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("owner_id", sa.Uuid, nullable=False, unique=True),
    sa.Column("plan_id", sa.String, nullable=False),
    sa.Column("last_payment_reference", sa.String),
    sa.Column("last_amount_cents", sa.Integer, nullable=False, default=0),
    sa.Column("currency", sa.String, nullable=False, default="usd"),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

token_meters = sa.Table(
    "rm_billing_token_meters",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("owner_id", sa.Uuid, nullable=False),
    sa.Column("period", sa.String(7), nullable=False),
    sa.Column("ai_tokens", sa.BigInteger, nullable=False, default=0),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)


class BillingProjection(Projection):
    name = "billing"
    tables = (subscriptions, token_meters)

    @handles(Subscription.Created)
    def created(self, e: Subscription.Created, rows: Rows) -> None:
        rows.put(
            subscriptions,
            {
                "id": e.originator_id,
                "owner_id": e.owner_id,
                "plan_id": e.plan_id,
                "last_amount_cents": 0,
                "currency": "usd",
                "created_at": e.timestamp,
                "updated_at": e.timestamp,
            },
        )

    @handles(Subscription.PlanChanged)
    def plan_changed(self, e: Subscription.PlanChanged, rows: Rows) -> None:
        rows.update(
            subscriptions,
            e.originator_id,
            plan_id=e.plan_id,
            last_payment_reference=e.payment_reference,
            last_amount_cents=e.amount_cents,
            currency=e.currency,
            updated_at=e.timestamp,
        )

    @handles(UsageMeter.Created)
    def meter_created(self, e: UsageMeter.Created, rows: Rows) -> None:
        rows.put(
            token_meters,
            {
                "id": e.originator_id,
                "owner_id": e.owner_id,
                "period": e.period,
                "ai_tokens": 0,
                "updated_at": e.timestamp,
            },
        )

    @handles(UsageMeter.TokensUsed)
    def tokens_used(self, e: UsageMeter.TokensUsed, rows: Rows) -> None:
        row = rows.get(token_meters, e.originator_id)
        if row is not None:
            total = row["ai_tokens"] + e.tokens
            rows.update(token_meters, e.originator_id, ai_tokens=total, updated_at=e.timestamp)


# -- queries -------------------------------------------------------------------------
def get_subscription(conn: Connection, owner_id: UUID) -> Row | None:
    found = conn.execute(
        sa.select(subscriptions).where(subscriptions.c.id == subscription_id(owner_id))
    ).mappings()
    row = found.first()
    return dict(row) if row else None


def plan_of(conn: Connection, owner_id: UUID) -> Plan:
    plan_id = conn.execute(
        sa.select(subscriptions.c.plan_id).where(subscriptions.c.id == subscription_id(owner_id))
    ).scalar()
    return PLANS.get(str(plan_id), DEFAULT_PLAN) if plan_id else DEFAULT_PLAN


def month_bounds(at: datetime) -> tuple[date, date]:
    """The first and last day of the calendar month (UTC) holding `at`."""
    at = at.astimezone(UTC)
    last = calendar.monthrange(at.year, at.month)[1]
    return date(at.year, at.month, 1), date(at.year, at.month, last)


def tokens_used(conn: Connection, owner_id: UUID, at: datetime) -> int:
    found = conn.execute(
        sa.select(token_meters.c.ai_tokens).where(
            token_meters.c.id == meter_id(owner_id, period_of(at.astimezone(UTC)))
        )
    ).scalar()
    return int(found or 0)


def documents_used(conn: Connection, owner_id: UUID) -> tuple[int, int]:
    """(documents, bytes) held by the user, from the documents read model."""
    count, size = documents_rm.document_usage(conn, owner_id)
    return int(count), int(size)


def usage(conn: Connection, owner_id: UUID, at: datetime) -> dict[str, Any]:
    """Usage of the current period against the plan's limits, as `usage/` shows it."""
    plan = plan_of(conn, owner_id)
    start, end = month_bounds(at)
    tokens = tokens_used(conn, owner_id, at)
    documents, size = documents_used(conn, owner_id)
    storage_mb = round(size / MB, 2)
    return {
        "plan_id": plan.id,
        "current_period": {
            "start_date": start,
            "end_date": end,
            "ai_tokens_used": tokens,
            "ai_tokens_limit": plan.ai_tokens,
            "documents_processed": documents,
            "documents_limit": plan.documents,
            "storage_used_mb": storage_mb,
            "storage_limit_mb": plan.storage_mb,
        },
        "usage_percentage": {
            "ai_tokens": _percent(tokens, plan.ai_tokens),
            "documents": _percent(documents, plan.documents),
            "storage": _percent(storage_mb, plan.storage_mb),
        },
    }


def _percent(used: float, limit: int) -> float:
    return round(used / limit * 100, 2) if limit else 0.0


def check_quota(
    conn: Connection, owner_id: UUID, kind: QuotaKind, amount: int, at: datetime | None = None
) -> None:
    """Raises `QuotaExceeded` when `amount` more of `kind` would pass the user's plan limit.

    Call it before the work starts. `amount` counts tokens for `ai_tokens`,
    documents for `documents` and bytes for `storage`; `at` (the injected clock's
    now) picks the month whose AI tokens count.
    """
    plan = plan_of(conn, owner_id)
    if kind == "ai_tokens":
        if at is None:
            raise ValueError("the AI token quota needs the injected clock's now")
        used, limit = tokens_used(conn, owner_id, at), plan.ai_tokens
    elif kind == "documents":
        used, limit = documents_used(conn, owner_id)[0], plan.documents
    elif kind == "storage":
        used, limit = documents_used(conn, owner_id)[1], plan.storage_bytes
    else:
        raise ValueError(f"unknown quota kind {kind!r}")
    if used >= limit or used + amount > limit:
        raise QuotaExceeded(
            f"Your {plan.name} plan's {kind.replace('_', ' ')} quota is used up.",
            {kind: [f"used {used} of {limit}; this needs {amount} more"]},
        )
