"""Webhook schemas: registration, endpoints and delivery attempts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import MISSING, AfterValidator, BaseModel, Field
from pydantic_core import PydanticCustomError

from aksio.api.schemas.common import Strict
from aksio.integrations.signing import standard_key

EventType = Literal[
    "document.processing.completed",
    "document.processing.failed",
    "flashcard.reviewed",
    "quiz.attempt.completed",
    "study_session.completed",
    "goal.completed",
]
Url = Field(min_length=8, max_length=2000, description="http(s) URL at a public address.")
# `whsec_` + base64 (padded) of 24 to 64 bytes: what `standard_key` accepts, for the schema.
_B64 = "[A-Za-z0-9+/]"
SECRET_PATTERN = (
    f"^whsec_(?:(?:{_B64}{{4}}){{8,20}}(?:{_B64}{{2}}==|{_B64}{{3}}=)?"
    f"|(?:{_B64}{{4}}){{21}}(?:{_B64}{{2}}==)?)$"
)


def _standard_secret(secret: str) -> str:
    try:
        standard_key(secret)
    except ValueError as exc:
        raise PydanticCustomError("webhook_secret", str(exc)) from None
    return secret


Secret = Annotated[
    str,
    AfterValidator(_standard_secret),
    Field(
        json_schema_extra={"pattern": SECRET_PATTERN},
        description="A Standard Webhooks secret: `whsec_` + base64 of 24 to 64 random bytes. "
        "The `webhook-signature` HMAC is keyed with those decoded bytes. Never shown again.",
    ),
]


class WebhookRegister(Strict):
    url: str = Url
    events: list[EventType] = Field(min_length=1, max_length=20)
    secret: Secret | MISSING = Field(
        default=MISSING,
        description="A Standard Webhooks secret: `whsec_` + base64 of 24 to 64 random bytes, "
        "the key of the `webhook-signature` HMAC. Left out, one is generated and shown once in "
        "the answer.",
    )


class WebhookUpdate(Strict):
    url: str | MISSING = Field(default=MISSING, min_length=8, max_length=2000)
    events: list[EventType] | MISSING = Field(default=MISSING, min_length=1, max_length=20)
    secret: Secret | MISSING = MISSING
    status: Literal["active", "disabled"] | MISSING = Field(
        default=MISSING, description="`active` re-enables an endpoint the dispatcher disabled."
    )


class WebhookOut(BaseModel):
    id: UUID
    url: str
    events: list[str]
    status: str = Field(description="`active` or `disabled`.")
    disabled_reason: str | None
    key_format: Literal["whsec", "utf-8"] = Field(
        description="How deliveries are signed: `whsec` keys the HMAC with the base64-decoded "
        "bytes after `whsec_` (Standard Webhooks). `utf-8` keys it with the secret's UTF-8 "
        "bytes: endpoints registered before secrets had to be `whsec_` keep that until their "
        "secret is changed."
    )
    created_at: datetime
    updated_at: datetime


class WebhookCreated(WebhookOut):
    secret: str | None = Field(
        description="The generated secret when the registration named none, shown only here; "
        "null when you sent your own."
    )


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
