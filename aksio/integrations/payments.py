"""The payment gateway port and the `sandbox` gateway used by default.

The sandbox follows the test payment-method tokens of common card processors:
`pm_card_visa` and any other `pm_...` token is charged successfully, while
`pm_card_chargeDeclined` (and its `pm_card_chargeDeclined...` variants) is declined.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Protocol

from aksio.core.errors import PaymentFailed

DECLINED_PREFIX = "pm_card_chargeDeclined"


@dataclass(frozen=True)
class Charge:
    reference: str
    amount_cents: int
    currency: str


class PaymentGateway(Protocol):
    def charge(
        self, *, token: str, amount_cents: int, currency: str, idempotency_key: str
    ) -> Charge:
        """Charges the payment method; raises `PaymentFailed` when it is declined."""
        ...


class SandboxGateway:
    """Charges nothing real; answers like a card processor in test mode."""

    def charge(
        self, *, token: str, amount_cents: int, currency: str, idempotency_key: str
    ) -> Charge:
        if not token.startswith("pm_"):
            raise PaymentFailed("Unknown payment method.", {"payment_method_token": ["unknown"]})
        if token.startswith(DECLINED_PREFIX):
            raise PaymentFailed(
                "Your card was declined.", {"payment_method_token": ["card_declined"]}
            )
        # The same idempotency key always gives the same charge, as a processor would.
        digest = hashlib.sha256(f"{idempotency_key}:{token}".encode()).hexdigest()[:24]
        return Charge(
            reference=f"ch_sandbox_{digest}", amount_cents=amount_cents, currency=currency
        )


def gateway_named(name: str) -> PaymentGateway:
    if name == "sandbox":
        return SandboxGateway()
    raise ValueError(f"unknown payment gateway {name!r}")
