"""Commands of the billing context: plan changes and metered AI token usage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from aksio.aggregates.billing.plans import plan_named
from aksio.aggregates.billing.subscription import Subscription, subscription_id
from aksio.aggregates.billing.usage import UsageMeter, meter_id, period_of
from aksio.commands.bus import Command, Handler, UnitOfWork
from aksio.core.errors import ValidationFailed


@dataclass(frozen=True, kw_only=True)
class ChangePlan(Command[None]):
    """Moves the user to `plan_id`, charging `payment_method_token` for a paid plan."""

    owner_id: UUID
    plan_id: str
    payment_method_token: str | None = None


@dataclass(frozen=True, kw_only=True)
class RecordTokenUsage(Command[None]):
    """Meters AI tokens (prompt plus response) that a user's request consumed."""

    owner_id: UUID
    tokens: int
    source: str = "ai"
    used_at: datetime | None = None


def change_plan(cmd: ChangePlan, uow: UnitOfWork) -> None:
    plan = plan_named(cmd.plan_id)
    subscription = uow.find(Subscription, subscription_id(cmd.owner_id))
    if subscription is None:
        subscription = Subscription.start(cmd.owner_id)
    if subscription.plan_id == plan.id:
        return
    reference = None
    if plan.price_cents:
        if not cmd.payment_method_token:
            raise ValidationFailed.field("payment_method_token", "A paid plan needs one.")
        gateway = uow.services.payments
        charge = gateway.charge(
            token=cmd.payment_method_token,
            amount_cents=plan.price_cents,
            currency=plan.currency,
            idempotency_key=f"{subscription.id}:{subscription.version}:{plan.id}",
        )
        reference = charge.reference
    subscription.change_plan(
        plan.id,
        uow.services.clock.now(),
        amount_cents=plan.price_cents,
        currency=plan.currency,
        payment_reference=reference,
    )
    uow.save(subscription)


def record_token_usage(cmd: RecordTokenUsage, uow: UnitOfWork) -> None:
    if cmd.tokens < 0:
        raise ValidationFailed.field("tokens", "Token counts are never negative.")
    if cmd.tokens == 0:
        return
    used_at = cmd.used_at or uow.services.clock.now()
    period = period_of(used_at)
    meter = uow.find(UsageMeter, meter_id(cmd.owner_id, period))
    if meter is None:
        meter = UsageMeter(owner_id=cmd.owner_id, period=period)
    meter.record(cmd.tokens, cmd.source, used_at)
    uow.save(meter)


HANDLERS: dict[type[Any], Handler] = {
    ChangePlan: change_plan,
    RecordTokenUsage: record_token_usage,
}
