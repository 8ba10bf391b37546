"""Commands of the webhooks context: endpoints (users) and deliveries (the dispatcher)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from aksio.aggregates.webhooks.delivery import WebhookDelivery, delivery_id
from aksio.aggregates.webhooks.endpoint import WebhookEndpoint
from aksio.commands.bus import Command, Handler, UnitOfWork
from aksio.core.errors import NotFound, ValidationFailed
from aksio.integrations.signing import STANDARD, standard_key


@dataclass(frozen=True, kw_only=True)
class RegisterWebhook(Command[UUID]):
    """`secret` is a Standard Webhooks `whsec_` secret (the route generates one if none came)."""

    owner_id: UUID
    url: str
    events: list[str]
    secret: str


@dataclass(frozen=True, kw_only=True)
class UpdateWebhook(Command[None]):
    owner_id: UUID
    webhook_id: UUID
    url: str | None = None
    events: list[str] | None = None
    secret: str | None = None
    status: str | None = None


@dataclass(frozen=True, kw_only=True)
class DeleteWebhook(Command[None]):
    owner_id: UUID
    webhook_id: UUID


@dataclass(frozen=True, kw_only=True)
class DisableWebhook(Command[None]):
    """Issued by the dispatcher when a receiver is gone or keeps failing."""

    webhook_id: UUID
    reason: str


@dataclass(frozen=True, kw_only=True)
class ScheduleDeliveries(Command[list[UUID]]):
    """Creates the delivery of one event to each endpoint, once (idempotent)."""

    endpoint_ids: list[UUID]
    event_id: str
    event_type: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Attempt:
    delivery_id: UUID
    attempt: int
    status_code: int | None
    error: str | None


@dataclass(frozen=True, kw_only=True)
class RecordDeliveryAttempts(Command[dict[UUID, str]]):
    """Records tries made at `attempted_at`; returns each delivery's status afterwards."""

    attempts: list[Attempt]
    attempted_at: datetime
    schedule: list[int]


def _live_endpoint(uow: UnitOfWork, owner_id: UUID, webhook_id: UUID) -> WebhookEndpoint:
    endpoint = uow.load(WebhookEndpoint, webhook_id, owner_id=owner_id)
    if endpoint.status == "deleted":
        raise NotFound("Webhook")
    return endpoint


def _check_url(uow: UnitOfWork, url: str) -> None:
    """The same private-address guard as URL imports (422 for local or private hosts)."""
    uow.services.fetcher.validate(url)


def _sealed_standard_secret(uow: UnitOfWork, secret: str) -> str:
    """New secrets must be `whsec_` ones, so the official verifiers accept the deliveries."""
    try:
        standard_key(secret)
    except ValueError as exc:
        raise ValidationFailed.field("secret", str(exc)) from None
    return uow.services.secret_box.seal(secret)


def register_webhook(cmd: RegisterWebhook, uow: UnitOfWork) -> UUID:
    _check_url(uow, cmd.url)
    sealed = _sealed_standard_secret(uow, cmd.secret)
    endpoint = WebhookEndpoint.register(cmd.owner_id, cmd.url, cmd.events, sealed, STANDARD)
    uow.save(endpoint)
    return endpoint.id


def update_webhook(cmd: UpdateWebhook, uow: UnitOfWork) -> None:
    endpoint = _live_endpoint(uow, cmd.owner_id, cmd.webhook_id)
    if cmd.url is not None:
        _check_url(uow, cmd.url)
    endpoint.update(url=cmd.url, events=cmd.events)
    if cmd.secret is not None:
        endpoint.rotate_secret(_sealed_standard_secret(uow, cmd.secret), STANDARD)
    if cmd.status == "active":
        endpoint.enable()
    elif cmd.status == "disabled":
        endpoint.disable("disabled by its owner", uow.services.clock.now())
    uow.save(endpoint)


def delete_webhook(cmd: DeleteWebhook, uow: UnitOfWork) -> None:
    endpoint = _live_endpoint(uow, cmd.owner_id, cmd.webhook_id)
    endpoint.delete()
    uow.save(endpoint)


def disable_webhook(cmd: DisableWebhook, uow: UnitOfWork) -> None:
    endpoint = uow.load(WebhookEndpoint, cmd.webhook_id)
    endpoint.disable(cmd.reason, uow.services.clock.now())
    uow.save(endpoint)


def schedule_deliveries(cmd: ScheduleDeliveries, uow: UnitOfWork) -> list[UUID]:
    new: list[WebhookDelivery] = []
    for endpoint_id in cmd.endpoint_ids:
        if uow.find(WebhookDelivery, delivery_id(endpoint_id, cmd.event_id)) is not None:
            continue
        endpoint = uow.load(WebhookEndpoint, endpoint_id)
        delivery = WebhookDelivery(
            owner_id=endpoint.owner_id,
            endpoint_id=endpoint.id,
            event_id=cmd.event_id,
            event_type=cmd.event_type,
            payload=cmd.payload,
            due_at=uow.services.clock.now(),
        )
        new.append(delivery)
    if new:
        uow.save(*new)
    return [delivery.id for delivery in new]


def record_delivery_attempts(cmd: RecordDeliveryAttempts, uow: UnitOfWork) -> dict[UUID, str]:
    statuses: dict[UUID, str] = {}
    changed: list[WebhookDelivery] = []
    for attempt in cmd.attempts:
        delivery = uow.load(WebhookDelivery, attempt.delivery_id)
        if delivery.record_attempt(
            attempt.attempt, cmd.attempted_at, attempt.status_code, attempt.error, cmd.schedule
        ):
            changed.append(delivery)
        statuses[delivery.id] = delivery.status
    if changed:
        uow.save(*changed)
    return statuses


HANDLERS: dict[type[Any], Handler] = {
    RegisterWebhook: register_webhook,
    UpdateWebhook: update_webhook,
    DeleteWebhook: delete_webhook,
    DisableWebhook: disable_webhook,
    ScheduleDeliveries: schedule_deliveries,
    RecordDeliveryAttempts: record_delivery_attempts,
}
