"""Signatures, the URL guard and the delivery's retry decisions, without a database."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from aksio.aggregates.webhooks.delivery import WebhookDelivery, delivery_id
from aksio.aggregates.webhooks.endpoint import WebhookEndpoint
from aksio.core.errors import ValidationFailed
from aksio.integrations.signing import SecretBox, sign, signed_headers, verify

AT = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def test_signature_is_standard_webhooks_v1() -> None:
    body = b'{"id":"e1","type":"flashcard.reviewed"}'
    header = sign("my_secret", "msg_1", 1_700_000_000, body)
    mac = hmac.new(b"my_secret", b"msg_1.1700000000." + body, hashlib.sha256).digest()
    assert header == "v1," + base64.b64encode(mac).decode()
    assert verify("my_secret", "msg_1", 1_700_000_000, body, f"v1,bogus {header}")
    assert not verify("my_secret", "msg_1", 1_700_000_001, body, header)
    assert not verify("other", "msg_1", 1_700_000_000, body, header)
    assert not verify("my_secret", "msg_1", 1_700_000_000, body + b" ", header)
    headers = signed_headers("s\u00e9cret", "msg_2", 5, b"{}")
    expected = hmac.new("s\u00e9cret".encode(), b"msg_2.5.{}", hashlib.sha256).digest()
    assert headers["webhook-signature"] == "v1," + base64.b64encode(expected).decode()
    assert headers["webhook-id"] == "msg_2" and headers["webhook-timestamp"] == "5"


def test_secret_box_seals_and_only_its_key_opens() -> None:
    box = SecretBox("server-key")
    sealed = box.seal("whsec_plain")
    assert "whsec_plain" not in sealed and box.open(sealed) == "whsec_plain"
    with pytest.raises(ValueError):
        SecretBox("another-key").open(sealed)


def test_endpoint_refuses_unknown_event_types() -> None:
    with pytest.raises(ValidationFailed):
        WebhookEndpoint.register(uuid4(), "https://x.test/", ["flashcard.eaten"], "sealed")
    endpoint = WebhookEndpoint.register(
        uuid4(), "https://x.test/", ["goal.completed", "goal.completed"], "sealed"
    )
    assert endpoint.events == ["goal.completed"]


def delivery() -> WebhookDelivery:
    endpoint_id = uuid4()
    made = WebhookDelivery(
        owner_id=uuid4(),
        endpoint_id=endpoint_id,
        event_id="e-1",
        event_type="goal.completed",
        payload={"id": "e-1"},
        due_at=AT,
    )
    assert made.id == delivery_id(endpoint_id, "e-1")
    return made


def test_retries_follow_the_schedule_then_fail() -> None:
    made = delivery()
    assert made.record_attempt(1, AT, 500, None, [5, 30])
    assert not made.record_attempt(1, AT, 500, None, [5, 30])  # the same try twice
    assert made.record_attempt(2, AT, None, "timed out", [5, 30])
    assert made.status == "pending"
    assert made.record_attempt(3, AT, 503, None, [5, 30])
    assert made.status == "failed" and not made.record_attempt(4, AT, 200, None, [5, 30])
    events = [e for e in made.collect_events() if isinstance(e, WebhookDelivery.AttemptRecorded)]
    assert [e.outcome for e in events] == ["retrying", "retrying", "failed"]
    assert [e.next_attempt_at for e in events] == [
        AT + timedelta(seconds=5),
        AT + timedelta(seconds=30),
        None,
    ]


@pytest.mark.parametrize(
    ("status", "error", "outcome"),
    [(200, None, "succeeded"), (204, None, "succeeded"), (410, None, "failed"),
     (200, "response too large", "retrying"), (301, None, "retrying"), (None, "timed out",
     "retrying")],
)  # fmt: skip
def test_first_answer_decides(status: int | None, error: str | None, outcome: str) -> None:
    made = delivery()
    made.record_attempt(1, AT, status, error, [5])
    last = made.collect_events()[-1]
    assert isinstance(last, WebhookDelivery.AttemptRecorded) and last.outcome == outcome
