"""The plans a user can be on, with their monthly limits."""

from __future__ import annotations

from dataclasses import dataclass

from aksio.core.errors import ValidationFailed

MB = 1024 * 1024


@dataclass(frozen=True)
class Plan:
    id: str
    name: str
    price_cents: int
    currency: str
    ai_tokens: int
    documents: int
    storage_mb: int

    @property
    def storage_bytes(self) -> int:
        return self.storage_mb * MB


FREE = Plan("free", "Free", 0, "usd", 50_000, 100, 1_000)
PREMIUM_MONTHLY = Plan("premium_monthly", "Premium (monthly)", 999, "usd", 1_000_000, 1_000, 10_000)
PLANS: dict[str, Plan] = {plan.id: plan for plan in (FREE, PREMIUM_MONTHLY)}
DEFAULT_PLAN = FREE


def plan_named(plan_id: str) -> Plan:
    try:
        return PLANS[plan_id]
    except KeyError:
        raise ValidationFailed.field("plan_id", f"Unknown plan {plan_id!r}.") from None
