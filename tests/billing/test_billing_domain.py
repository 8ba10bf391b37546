"""Billing without a database: plans, the subscription and usage meter, the sandbox gateway."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from aksio.aggregates.billing.plans import PLANS, plan_named
from aksio.aggregates.billing.subscription import Subscription, subscription_id
from aksio.aggregates.billing.usage import UsageMeter, meter_id, period_of
from aksio.core.errors import PaymentFailed, ValidationFailed
from aksio.integrations.payments import SandboxGateway

AT = datetime(2024, 1, 31, 23, 59, tzinfo=UTC)


def test_plan_limits_are_the_contracts() -> None:
    free, premium = PLANS["free"], PLANS["premium_monthly"]
    assert (free.ai_tokens, free.documents, free.storage_mb) == (50_000, 100, 1_000)
    assert (premium.ai_tokens, premium.documents, premium.storage_mb) == (1_000_000, 1_000, 10_000)
    with pytest.raises(ValidationFailed):
        plan_named("gold")


def test_subscription_id_is_derived_from_the_owner_and_records_plan_changes() -> None:
    owner = uuid4()
    subscription = Subscription.start(owner)
    assert subscription.id == subscription_id(owner) and subscription.plan_id == "free"
    subscription.change_plan("premium_monthly", AT, amount_cents=999, payment_reference="ch_1")
    subscription.change_plan("premium_monthly", AT)  # already there: nothing happens
    events = subscription.collect_events()
    assert [type(e).__name__ for e in events] == ["Created", "PlanChanged"]
    changed = events[1]
    assert isinstance(changed, Subscription.PlanChanged)
    assert (changed.previous_plan_id, changed.plan_id) == ("free", "premium_monthly")


def test_a_plan_change_the_aggregate_cannot_record_is_refused() -> None:
    subscription = Subscription.start(uuid4())
    for plan, changes, field in [
        ("platinum", {}, "plan_id"),
        ("premium_monthly", {"amount_cents": -1}, "amount_cents"),
        ("premium_monthly", {"amount_cents": 2**40}, "amount_cents"),
        ("premium_monthly", {"currency": "dollars"}, "currency"),
        ("premium_monthly", {"payment_reference": "r" * 201}, "payment_reference"),
    ]:
        with pytest.raises(ValidationFailed) as raised:
            subscription.change_plan(plan, AT, **changes)  # type: ignore[arg-type]
        assert set(raised.value.details) == {field}
    assert subscription.plan_id == "free" and not subscription.pending_events[1:]


def test_usage_meter_sums_tokens_of_its_month_only() -> None:
    owner = uuid4()
    meter = UsageMeter(owner_id=owner, period=period_of(AT))
    assert meter.id == meter_id(owner, "2024-01")
    meter.record(1200, "chat", AT)
    meter.record(0, "chat", AT)
    meter.record(300, "generation", AT)
    assert meter.tokens == 1500 and len(meter.collect_events()) == 3
    with pytest.raises(ValidationFailed):
        meter.record(-1, "chat", AT)
    with pytest.raises(ValidationFailed):
        meter.record(5, "chat", datetime(2024, 2, 1, tzinfo=UTC))


@pytest.mark.parametrize(
    ("token", "succeeds"),
    [
        ("pm_card_visa", True),
        ("pm_card_mastercard", True),
        ("pm_1234567890", True),
        ("pm_card_chargeDeclined", False),
        ("pm_card_chargeDeclinedInsufficientFunds", False),
        ("tok_visa", False),
    ],
)
def test_sandbox_gateway_follows_test_tokens(token: str, succeeds: bool) -> None:
    gateway = SandboxGateway()
    if succeeds:
        charge = gateway.charge(token=token, amount_cents=999, currency="usd", idempotency_key="k")
        assert charge.reference.startswith("ch_sandbox_") and charge.amount_cents == 999
        again = gateway.charge(token=token, amount_cents=999, currency="usd", idempotency_key="k")
        assert again == charge
    else:
        with pytest.raises(PaymentFailed):
            gateway.charge(token=token, amount_cents=999, currency="usd", idempotency_key="k")
