"""One event's delivery to one webhook endpoint, with every attempt made.

Lifecycle: `Created` pending (due at once) with the exact JSON payload; each
try is an `AttemptRecorded` saying what the receiver answered and what happens
next: `succeeded` on 2xx, `failed` on 410 Gone or when the retry schedule is
used up, else `retrying` at `next_attempt_at`. A 2xx answer counts only when
the receiver also kept to the time-out and the size cap (`error` is None).
The id is derived from the endpoint and the event, so a crash can never make a
second delivery (or a second `webhook-id`) for the same pair.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

_NAMESPACE = uuid5(NAMESPACE_URL, "aksio:webhook-delivery")


def delivery_id(endpoint_id: UUID, event_id: str) -> UUID:
    return uuid5(_NAMESPACE, f"{endpoint_id}:{event_id}")


class WebhookDelivery(Aggregate):
    TOPIC = "aksio.webhook_delivery"
    FINAL: ClassVar[tuple[str, ...]] = ("succeeded", "failed")

    class Created(Aggregate.Created):
        TOPIC = "aksio.webhook_delivery.created"
        owner_id: UUID
        endpoint_id: UUID
        event_id: str
        event_type: str
        payload: dict[str, Any]
        due_at: datetime

    class AttemptRecorded(Aggregate.Event):
        TOPIC = "aksio.webhook_delivery.attempt_recorded"
        attempt: int
        attempted_at: datetime
        status_code: int | None
        error: str | None
        outcome: str
        next_attempt_at: datetime | None

    @staticmethod
    def create_id(endpoint_id: UUID, event_id: str, **_: Any) -> UUID:
        return delivery_id(endpoint_id, event_id)

    @event(Created)
    def __init__(
        self,
        owner_id: UUID,
        endpoint_id: UUID,
        event_id: str,
        event_type: str,
        payload: dict[str, Any],
        due_at: datetime,
    ) -> None:
        self.owner_id = owner_id
        self.endpoint_id = endpoint_id
        self.event_id = event_id
        self.payload = dict(payload)
        self.attempts = 0
        self.status = "pending"

    @property
    def webhook_id(self) -> str:
        return f"msg_{self.id.hex}"

    def record_attempt(
        self,
        attempt: int,
        attempted_at: datetime,
        status_code: int | None,
        error: str | None,
        schedule: list[int],
    ) -> bool:
        """Records try number `attempt`; False (nothing recorded) if it already was."""
        if attempt != self.attempts + 1 or self.status in self.FINAL:
            return False
        next_at: datetime | None = None
        if error is None and status_code is not None and 200 <= status_code < 300:
            outcome = "succeeded"
        elif status_code == 410 or attempt > len(schedule):
            outcome = "failed"
        else:
            outcome = "retrying"
            next_at = attempted_at + timedelta(seconds=schedule[attempt - 1])
        self._attempt_recorded(
            attempt=attempt,
            attempted_at=attempted_at,
            status_code=status_code,
            error=error,
            outcome=outcome,
            next_attempt_at=next_at,
        )
        return True

    @event(AttemptRecorded)
    def _attempt_recorded(
        self,
        attempt: int,
        attempted_at: datetime,
        status_code: int | None,
        error: str | None,
        outcome: str,
        next_attempt_at: datetime | None,
    ) -> None:
        self.attempts = attempt
        self.status = "pending" if outcome == "retrying" else outcome
