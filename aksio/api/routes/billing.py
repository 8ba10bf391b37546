"""Billing: the user's subscription, plan changes and usage of the current month."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter

from aksio.aggregates.billing.plans import PLANS
from aksio.aggregates.billing.subscription import subscription_id
from aksio.api.deps import Bus, CurrentUser, Now, Reads
from aksio.api.schemas.billing import SubscriptionOut, UpgradeRequest, UsageOut
from aksio.api.schemas.common import ERRORS, ErrorOut
from aksio.commands.billing import ChangePlan
from aksio.projections import billing as q

router = APIRouter(
    prefix="/api/v1/billing",
    tags=["billing"],
    responses={**ERRORS, 402: {"model": ErrorOut}},
)


def _subscription(reads: Reads, user: UUID, now: datetime) -> SubscriptionOut:
    row: dict[str, Any] = q.get_subscription(reads, user) or {}
    plan = PLANS[row.get("plan_id") or "free"]
    start, end = q.month_bounds(now)
    return SubscriptionOut(
        id=subscription_id(user),
        plan_id=plan.id,
        plan_name=plan.name,
        price_cents=plan.price_cents,
        currency=plan.currency,
        limits={
            "ai_tokens": plan.ai_tokens,
            "documents": plan.documents,
            "storage_mb": plan.storage_mb,
        },
        current_period_start=start,
        current_period_end=end,
        last_payment_reference=row.get("last_payment_reference"),
        created_at=row.get("created_at"),
        updated_at=row.get("updated_at"),
    )


@router.get("/subscription/", response_model=SubscriptionOut)
def get_subscription(user: CurrentUser, reads: Reads, now: Now) -> SubscriptionOut:
    """Show your plan, its limits and the current billing period."""
    return _subscription(reads, user, now)


@router.post("/subscription/upgrade/", response_model=SubscriptionOut)
def upgrade_subscription(
    body: UpgradeRequest, user: CurrentUser, bus: Bus, reads: Reads, now: Now
) -> SubscriptionOut:
    """Change your plan; a paid plan is charged to `payment_method_token` (402 if declined)."""
    bus.run(
        ChangePlan(
            owner_id=user, plan_id=body.plan_id, payment_method_token=body.payment_method_token
        )
    )
    return _subscription(reads, user, now)


@router.get("/usage/", response_model=UsageOut)
def get_usage(user: CurrentUser, reads: Reads, now: Now) -> UsageOut:
    """Usage of the current calendar month (UTC) against your plan's limits."""
    return UsageOut.model_validate(q.usage(reads, user, now))
