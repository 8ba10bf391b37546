"""A user's metered AI token usage in one calendar month (UTC).

Lifecycle: `Created` by the first usage recorded in a month, then one
`TokensUsed` per AI call (prompt plus response tokens). One meter per user and
month keeps each aggregate short; its id is derived from the owner and the month.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from aksio.core.errors import ValidationFailed

_NAMESPACE = uuid5(NAMESPACE_URL, "aksio:usage-meter")


def period_of(at: datetime) -> str:
    """The calendar month (`YYYY-MM`, UTC) that a moment belongs to."""
    return f"{at.year:04d}-{at.month:02d}"


def meter_id(owner_id: UUID, period: str) -> UUID:
    return uuid5(_NAMESPACE, f"{owner_id}:{period}")


class UsageMeter(Aggregate):
    TOPIC = "aksio.usage_meter"

    class Created(Aggregate.Created):
        TOPIC = "aksio.usage_meter.created"
        owner_id: UUID
        period: str

    class TokensUsed(Aggregate.Event):
        TOPIC = "aksio.usage_meter.tokens_used"
        tokens: int
        source: str
        used_at: datetime

    @staticmethod
    def create_id(owner_id: UUID, period: str, **_: Any) -> UUID:
        return meter_id(owner_id, period)

    @event(Created)
    def __init__(self, owner_id: UUID, period: str) -> None:
        self.owner_id = owner_id
        self.period = period
        self.tokens = 0

    def record(self, tokens: int, source: str, used_at: datetime) -> None:
        if tokens < 0:
            raise ValidationFailed.field("tokens", "Token counts are never negative.")
        if period_of(used_at) != self.period:
            raise ValidationFailed.field("used_at", "Usage belongs to another month's meter.")
        if tokens:
            self._tokens_used(tokens=tokens, source=source, used_at=used_at)

    @event(TokensUsed)
    def _tokens_used(self, tokens: int, source: str, used_at: datetime) -> None:
        self.tokens += tokens
