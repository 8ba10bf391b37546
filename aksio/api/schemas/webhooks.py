"""Webhook schemas: registration, endpoints and delivery attempts."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import MISSING, BaseModel, Field

from aksio.api.schemas.common import Strict

EventType = Literal[
    "document.processing.completed",
    "document.processing.failed",
    "flashcard.reviewed",
    "quiz.attempt.completed",
    "study_session.completed",
    "goal.completed",
]
Url = Field(min_length=8, max_length=2000, description="http(s) URL at a public address.")


class WebhookRegister(Strict):
    url: str = Url
    events: list[EventType] = Field(min_length=1, max_length=20)
    secret: str = Field(
        min_length=8,
        max_length=500,
        description="Key of the `webhook-signature` HMAC (its UTF-8 bytes); never shown again.",
    )


class WebhookUpdate(Strict):
    url: str | MISSING = Field(default=MISSING, min_length=8, max_length=2000)
    events: list[EventType] | MISSING = Field(default=MISSING, min_length=1, max_length=20)
    secret: str | MISSING = Field(default=MISSING, min_length=8, max_length=500)
    status: Literal["active", "disabled"] | MISSING = Field(
        default=MISSING, description="`active` re-enables an endpoint the dispatcher disabled."
    )


class WebhookOut(BaseModel):
    id: UUID
    url: str
    events: list[str]
    status: str = Field(description="`active` or `disabled`.")
    disabled_reason: str | None
    created_at: datetime
    updated_at: datetime


class DeliveryAttemptOut(BaseModel):
    delivery_id: UUID
    webhook_id: str = Field(description="The `webhook-id` header: the same on every retry.")
    event_id: str
    event_type: str
    attempt: int
    status_code: int | None = Field(description="The receiver's HTTP status; null if none came.")
    error: str | None
    outcome: Literal["succeeded", "retrying", "failed"]
    attempted_at: datetime
    next_attempt_at: datetime | None
