"""Webhooks: register endpoints for public event types and inspect their deliveries."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, Response

from aksio.api.deps import Bus, CurrentUser, Paging, Reads
from aksio.api.schemas.common import ERRORS, PageOut
from aksio.api.schemas.webhooks import (
    DeliveryAttemptOut,
    WebhookCreated,
    WebhookOut,
    WebhookRegister,
    WebhookUpdate,
)
from aksio.commands.webhooks import DeleteWebhook, RegisterWebhook, UpdateWebhook
from aksio.core.errors import NotFound
from aksio.integrations.signing import new_secret
from aksio.projections import webhooks as q
from aksio.projections.engine.paging import Page

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"], responses=ERRORS)


def _webhook(reads: Reads, user: UUID, webhook_id: UUID) -> WebhookOut:
    row = q.get_webhook(reads, user, webhook_id)
    if row is None:
        raise NotFound("Webhook")
    return WebhookOut.model_validate(row)


@router.post("/register/", status_code=201, response_model=WebhookCreated)
def register_webhook(
    body: WebhookRegister, user: CurrentUser, bus: Bus, reads: Reads
) -> WebhookCreated:
    """Register an endpoint; deliveries are signed with its `whsec_` secret (generated if none)."""
    given = body.model_dump(include={"secret"}).get("secret")
    secret = given if isinstance(given, str) else new_secret()
    webhook_id = bus.run(
        RegisterWebhook(owner_id=user, url=body.url, events=list(body.events), secret=secret)
    )
    shown = _webhook(reads, user, webhook_id).model_dump()
    return WebhookCreated(**shown, secret=None if given else secret)


@router.get("/", response_model=PageOut[WebhookOut])
def list_webhooks(
    request: Request, user: CurrentUser, reads: Reads, paging: Paging
) -> PageOut[WebhookOut]:
    """List your webhook endpoints, oldest first."""
    page = q.list_webhooks(reads, user, paging.page, paging.page_size)
    result: PageOut[WebhookOut] = PageOut[WebhookOut].of(request, page, WebhookOut)
    return result


@router.get("/{webhook_id}/", response_model=WebhookOut)
def get_webhook(webhook_id: UUID, user: CurrentUser, reads: Reads) -> WebhookOut:
    """Show one webhook endpoint (never its secret)."""
    return _webhook(reads, user, webhook_id)


@router.patch("/{webhook_id}/", response_model=WebhookOut)
def update_webhook(
    webhook_id: UUID, body: WebhookUpdate, user: CurrentUser, bus: Bus, reads: Reads
) -> WebhookOut:
    """Change URL, event types or secret; `status: active` re-enables a disabled endpoint."""
    changes = body.model_dump(exclude_unset=True)
    bus.run(UpdateWebhook(owner_id=user, webhook_id=webhook_id, **changes))
    return _webhook(reads, user, webhook_id)


@router.delete("/{webhook_id}/", status_code=204, response_class=Response)
def delete_webhook(webhook_id: UUID, user: CurrentUser, bus: Bus) -> Response:
    """Remove an endpoint: nothing more is delivered to it."""
    bus.run(DeleteWebhook(owner_id=user, webhook_id=webhook_id))
    return Response(status_code=204)


@router.get("/{webhook_id}/deliveries/", response_model=PageOut[DeliveryAttemptOut])
def list_deliveries(
    request: Request, webhook_id: UUID, user: CurrentUser, reads: Reads, paging: Paging
) -> PageOut[DeliveryAttemptOut]:
    """Delivery attempts to this endpoint, newest first, with the receiver's status codes."""
    _webhook(reads, user, webhook_id)
    page = q.list_attempts(reads, webhook_id, paging.page, paging.page_size)
    rows: list[dict[str, Any]] = [
        {**row, "webhook_id": f"msg_{row['delivery_id'].hex}"} for row in page.rows
    ]
    shown = Page(count=page.count, page=page.page, page_size=page.page_size, rows=rows)
    result: PageOut[DeliveryAttemptOut] = PageOut[DeliveryAttemptOut].of(
        request, shown, DeliveryAttemptOut
    )
    return result
