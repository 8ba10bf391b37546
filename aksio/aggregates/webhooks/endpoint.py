"""A webhook endpoint: where a user wants some public event types POSTed.

Lifecycle: `Created` active with its URL, event types and sealed secret;
`Updated` changes URL or event types, `SecretRotated` the secret; `Disabled`
by the dispatcher when the receiver answers 410 Gone or a delivery fails its
whole retry schedule (or by the user), `Enabled` again by the user; `Deleted`
ends it for good.

`key_format` says how the secret keys the signature: `whsec` (Standard Webhooks, the
base64-decoded bytes after `whsec_`) for every secret given since that became the rule;
events stored before it carry no such field and mean `utf-8` (the secret's UTF-8 bytes),
which those endpoints keep until their secret is rotated.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from aksio.aggregates import values as v
from aksio.core.errors import InvalidState, ValidationFailed

KEY_FORMATS = ("whsec", "utf-8")
LEGACY_KEY_FORMAT = "utf-8"  # what a stored event without `key_format` means
WEBHOOK_EVENT_TYPES = (
    "document.processing.completed",
    "document.processing.failed",
    "flashcard.reviewed",
    "quiz.attempt.completed",
    "study_session.completed",
    "goal.completed",
)


URL_RULE = {"url": v.text(required=True, max_length=2000)}


def check_url(url: str) -> str:
    """Text an endpoint row can hold, naming an http(s) resource (the API also checks that
    its address is public)."""
    v.check({"url": url}, URL_RULE)
    if not url.lower().startswith(("http://", "https://")):
        raise ValidationFailed.field("url", "Must be an http or https URL.")
    return url


def check_event_types(events: list[str]) -> list[str]:
    if not isinstance(events, list) or not all(isinstance(name, str) for name in events):
        raise ValidationFailed.field("events", "Must be a list of event type names.")
    unknown = [name for name in events if name not in WEBHOOK_EVENT_TYPES]
    if unknown:
        raise ValidationFailed.field("events", f"Unknown event types: {', '.join(unknown)}.")
    if not events:
        raise ValidationFailed.field("events", "Name at least one event type.")
    return list(dict.fromkeys(events))


def _check_key_format(key_format: str) -> str:
    if key_format not in KEY_FORMATS:
        raise ValidationFailed.field("secret", f"Unknown key format {key_format!r}.")
    return key_format


class WebhookEndpoint(Aggregate):
    TOPIC = "aksio.webhook_endpoint"

    class Created(Aggregate.Created):
        TOPIC = "aksio.webhook_endpoint.created"
        owner_id: UUID
        url: str
        events: list[str]
        sealed_secret: str
        key_format: str = LEGACY_KEY_FORMAT

    class Updated(Aggregate.Event):
        TOPIC = "aksio.webhook_endpoint.updated"
        changes: dict[str, Any]

    class SecretRotated(Aggregate.Event):
        TOPIC = "aksio.webhook_endpoint.secret_rotated"
        sealed_secret: str
        key_format: str = LEGACY_KEY_FORMAT

    class Disabled(Aggregate.Event):
        TOPIC = "aksio.webhook_endpoint.disabled"
        reason: str
        disabled_at: datetime

    class Enabled(Aggregate.Event):
        TOPIC = "aksio.webhook_endpoint.enabled"

    class Deleted(Aggregate.Event):
        TOPIC = "aksio.webhook_endpoint.deleted"

    @event(Created)
    def __init__(
        self,
        owner_id: UUID,
        url: str,
        events: list[str],
        sealed_secret: str,
        key_format: str = LEGACY_KEY_FORMAT,
    ) -> None:
        self.owner_id = owner_id
        self.url = url
        self.events = list(events)
        self.sealed_secret = sealed_secret
        self.key_format = key_format
        self.status = "active"

    @classmethod
    def register(
        cls, owner_id: UUID, url: str, events: list[str], sealed_secret: str, key_format: str
    ) -> WebhookEndpoint:
        return cls(
            owner_id=owner_id,
            url=check_url(url),
            events=check_event_types(events),
            sealed_secret=sealed_secret,
            key_format=_check_key_format(key_format),
        )

    def update(self, url: str | None = None, events: list[str] | None = None) -> None:
        self._require_live()
        changes: dict[str, Any] = {}
        if url is not None and url != self.url:
            changes["url"] = check_url(url)
        if events is not None:
            wanted = check_event_types(events)
            if wanted != self.events:
                changes["events"] = wanted
        if changes:
            self._updated(changes=changes)

    def rotate_secret(self, sealed_secret: str, key_format: str) -> None:
        self._require_live()
        self._secret_rotated(sealed_secret=sealed_secret, key_format=_check_key_format(key_format))

    def disable(self, reason: str, at: datetime) -> None:
        if self.status == "active":
            self._disabled(reason=reason, disabled_at=at)

    def enable(self) -> None:
        self._require_live()
        if self.status == "disabled":
            self._enabled()

    def delete(self) -> None:
        if self.status != "deleted":
            self._deleted()

    def _require_live(self) -> None:
        if self.status == "deleted":
            raise InvalidState("This webhook was deleted.")

    @event(Updated)
    def _updated(self, changes: dict[str, Any]) -> None:
        self.url = changes.get("url", self.url)
        self.events = list(changes.get("events", self.events))

    @event(SecretRotated)
    def _secret_rotated(self, sealed_secret: str, key_format: str = LEGACY_KEY_FORMAT) -> None:
        self.sealed_secret = sealed_secret
        self.key_format = key_format

    @event(Disabled)
    def _disabled(self, reason: str, disabled_at: datetime) -> None:
        self.status = "disabled"

    @event(Enabled)
    def _enabled(self) -> None:
        self.status = "active"

    @event(Deleted)
    def _deleted(self) -> None:
        self.status = "deleted"
