"""A user's subscription: which plan they are on.

Lifecycle: every user is on `free` without any event; the aggregate is created
(`Created`, on `free`) the first time the plan changes, and each later change is
a `PlanChanged` that records the charge made for it. One subscription per user:
its id is derived from the owner's id, so no lookup is needed to find it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from aksio.aggregates import values as v
from aksio.aggregates.billing.plans import DEFAULT_PLAN, plan_named
from aksio.core.errors import ValidationFailed

_NAMESPACE = uuid5(NAMESPACE_URL, "aksio:subscription")


PAYMENT_RULES = {
    "amount_cents": v.integer(),
    "currency": v.text(required=True, max_length=3),
    "payment_reference": v.text(nullable=True, max_length=200),
}


def subscription_id(owner_id: UUID) -> UUID:
    return uuid5(_NAMESPACE, str(owner_id))


class Subscription(Aggregate):
    TOPIC = "aksio.subscription"

    class Created(Aggregate.Created):
        TOPIC = "aksio.subscription.created"
        owner_id: UUID
        plan_id: str

    class PlanChanged(Aggregate.Event):
        TOPIC = "aksio.subscription.plan_changed"
        plan_id: str
        previous_plan_id: str
        changed_at: datetime
        amount_cents: int
        currency: str
        payment_reference: str | None

    @staticmethod
    def create_id(owner_id: UUID, **_: Any) -> UUID:
        return subscription_id(owner_id)

    @event(Created)
    def __init__(self, owner_id: UUID, plan_id: str) -> None:
        self.owner_id = owner_id
        self.plan_id = plan_id

    @classmethod
    def start(cls, owner_id: UUID) -> Subscription:
        return cls(owner_id=owner_id, plan_id=DEFAULT_PLAN.id)

    def change_plan(
        self,
        plan_id: str,
        changed_at: datetime,
        *,
        amount_cents: int = 0,
        currency: str = "usd",
        payment_reference: str | None = None,
    ) -> None:
        plan_named(plan_id)  # a known plan, or 422 naming plan_id
        v.check(
            {"amount_cents": amount_cents, "currency": currency,
             "payment_reference": payment_reference},
            PAYMENT_RULES,
        )  # fmt: skip
        if amount_cents < 0:
            raise ValidationFailed.field("amount_cents", "Never negative.")
        if plan_id == self.plan_id:
            return
        self._plan_changed(
            plan_id=plan_id,
            previous_plan_id=self.plan_id,
            changed_at=changed_at,
            amount_cents=amount_cents,
            currency=currency,
            payment_reference=payment_reference,
        )

    @event(PlanChanged)
    def _plan_changed(
        self,
        plan_id: str,
        previous_plan_id: str,
        changed_at: datetime,
        amount_cents: int,
        currency: str,
        payment_reference: str | None,
    ) -> None:
        self.plan_id = plan_id
