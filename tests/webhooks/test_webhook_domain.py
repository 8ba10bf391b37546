"""Signatures, secrets, endpoints and the delivery's retry decisions, without a database."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from standardwebhooks import Webhook

from aksio.aggregates.documents.document import Document
from aksio.aggregates.flashcards.flashcard import Flashcard
from aksio.aggregates.learning.goal import Goal
from aksio.aggregates.learning.study_session import StudySession
from aksio.aggregates.quizzes.attempt import QuizAttempt
from aksio.aggregates.webhooks.delivery import WebhookDelivery, delivery_id
from aksio.aggregates.webhooks.endpoint import WEBHOOK_EVENT_TYPES, WebhookEndpoint
from aksio.api.schemas.webhooks import SECRET_PATTERN
from aksio.core.errors import ValidationFailed
from aksio.core.public_events import aggregate_type, public_type_of_topic, webhook_payload
from aksio.core.store import EventStore
from aksio.integrations.signing import (
    SecretBox,
    new_secret,
    sign,
    signed_headers,
    signing_key,
    standard_key,
    verify,
)

AT = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def test_signature_is_standard_webhooks_v1() -> None:
    body = b'{"id":"e1","type":"flashcard.reviewed"}'
    header = sign(b"my_secret", "msg_1", 1_700_000_000, body)
    mac = hmac.new(b"my_secret", b"msg_1.1700000000." + body, hashlib.sha256).digest()
    assert header == "v1," + base64.b64encode(mac).decode()
    assert verify(b"my_secret", "msg_1", 1_700_000_000, body, f"v1,bogus {header}")
    assert not verify(b"my_secret", "msg_1", 1_700_000_001, body, header)
    assert not verify(b"other", "msg_1", 1_700_000_000, body, header)
    assert not verify(b"my_secret", "msg_1", 1_700_000_000, body + b" ", header)
    headers = signed_headers("s\u00e9cret".encode(), "msg_2", 5, b"{}")
    expected = hmac.new("s\u00e9cret".encode(), b"msg_2.5.{}", hashlib.sha256).digest()
    assert headers["webhook-signature"] == "v1," + base64.b64encode(expected).decode()
    assert headers["webhook-id"] == "msg_2" and headers["webhook-timestamp"] == "5"


def test_whsec_secrets_key_with_their_decoded_bytes_as_the_official_library_does() -> None:
    secret = new_secret()
    assert secret.startswith("whsec_") and len(standard_key(secret)) == 32
    assert new_secret() != secret
    now = datetime.now(UTC).replace(microsecond=0)
    body = b'{"id":"e1","type":"flashcard.reviewed","data":{}}'
    key = signing_key(secret, "whsec")
    assert key == base64.b64decode(secret.removeprefix("whsec_"))
    official = Webhook(secret)
    assert sign(key, "msg_1", int(now.timestamp()), body) == official.sign("msg_1", now, body)
    headers = signed_headers(key, "msg_1", int(now.timestamp()), body)
    assert official.verify(body, headers) == json.loads(body)
    # An endpoint of the old key format signs with the secret's UTF-8 bytes.
    assert signing_key(secret, "utf-8") == secret.encode()


@pytest.mark.parametrize(
    ("secret", "valid"),
    [
        ("whsec_" + base64.b64encode(b"k" * 24).decode(), True),
        ("whsec_" + base64.b64encode(b"k" * 25).decode(), True),  # padded "=="
        ("whsec_" + base64.b64encode(b"k" * 26).decode(), True),  # padded "="
        ("whsec_" + base64.b64encode(b"k" * 64).decode(), True),
        ("whsec_" + base64.b64encode(b"k" * 23).decode(), False),  # too short a key
        ("whsec_" + base64.b64encode(b"k" * 65).decode(), False),  # too long a key
        ("whsec_" + base64.b64encode(b"k" * 24).decode().rstrip("=") + "A", False),
        ("whsec_" + base64.urlsafe_b64encode(b"\xfb" * 30).decode(), False),  # "-" and "_"
        ("whsec_" + base64.b64encode(b"k" * 30).decode() + "\n", False),
        (base64.b64encode(b"k" * 30).decode(), False),  # no prefix
        ("whsec_test_secret", False),
        ("s3cret-value", False),
        ("whsec_", False),
    ],
)
def test_what_a_whsec_secret_is(secret: str, valid: bool) -> None:
    """`standard_key` and the pattern the API description states agree on every case."""
    assert (re.fullmatch(SECRET_PATTERN.strip("^$"), secret) is not None) == valid
    if valid:
        assert standard_key(secret) == base64.b64decode(secret[6:])
    else:
        with pytest.raises(ValueError, match="whsec_"):
            standard_key(secret)


def test_endpoints_stored_before_key_formats_read_as_utf_8() -> None:
    """Events stored before `key_format` existed lack it: they mean the UTF-8 key."""
    endpoint = WebhookEndpoint.register(uuid4(), "https://x.test/", ["goal.completed"], "s1",
                                        "whsec")  # fmt: skip
    endpoint.rotate_secret("s2", "whsec")
    mapper = EventStore(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper
    replayed = None
    for made in endpoint.collect_events():
        stored = mapper.to_stored_event(made)
        state = json.loads(stored.state)
        assert state.pop("key_format") == "whsec"
        old = type(stored)(**{**vars(stored), "state": json.dumps(state).encode()})
        replayed = mapper.to_domain_event(old).mutate(replayed)
    assert isinstance(replayed, WebhookEndpoint)
    assert replayed.key_format == "utf-8" and replayed.sealed_secret == "s2"
    with pytest.raises(ValidationFailed):
        endpoint.rotate_secret("s3", "latin-1")


def test_secret_box_seals_and_only_its_key_opens() -> None:
    box = SecretBox("server-key")
    sealed = box.seal("whsec_plain")
    assert "whsec_plain" not in sealed and box.open(sealed) == "whsec_plain"
    with pytest.raises(ValueError):
        SecretBox("another-key").open(sealed)


def test_endpoint_refuses_unknown_event_types() -> None:
    with pytest.raises(ValidationFailed):
        WebhookEndpoint.register(uuid4(), "https://x.test/", ["flashcard.eaten"], "sealed", "whsec")
    endpoint = WebhookEndpoint.register(
        uuid4(), "https://x.test/", ["goal.completed", "goal.completed"], "sealed", "whsec"
    )
    assert endpoint.events == ["goal.completed"]


def test_endpoint_refuses_a_url_or_events_its_rows_cannot_hold() -> None:
    owner = uuid4()
    for url in ("", "ftp://x.test/", "https://x.test/" + "a" * 2000, "https://x.test/\x00"):
        with pytest.raises(ValidationFailed) as raised:
            WebhookEndpoint.register(owner, url, ["goal.completed"], "sealed", "whsec")
        assert set(raised.value.details) == {"url"}
    with pytest.raises(ValidationFailed) as raised:
        WebhookEndpoint.register(owner, "https://x.test/", "goal.completed", "s", "whsec")  # type: ignore[arg-type]
    assert set(raised.value.details) == {"events"}
    endpoint = WebhookEndpoint.register(owner, "https://x.test/", ["goal.completed"], "s", "whsec")
    with pytest.raises(ValidationFailed):
        endpoint.update(url="javascript:alert(1)")
    endpoint.update(url="HTTPS://y.test/hook")
    assert endpoint.url == "HTTPS://y.test/hook"


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


@pytest.mark.parametrize(
    ("event_class", "id_field"),
    [
        (Flashcard.Reviewed, "flashcard_id"),
        (Document.ProcessingCompleted, "document_id"),
        (Document.ProcessingFailed, "document_id"),
        (QuizAttempt.Completed, "attempt_id"),
        (StudySession.Completed, "session_id"),
        (Goal.Completed, "goal_id"),
    ],
)
def test_each_webhook_event_names_its_resource(event_class: type, id_field: str) -> None:
    kind = aggregate_type(object.__new__(event_class))  # only its class is read
    assert public_type_of_topic(event_class.TOPIC) in WEBHOOK_EVENT_TYPES  # type: ignore[attr-defined]
    public = {"id": "e", "type": "t", "timestamp": "now", "aggregate_id": "a-1",
              "aggregate_type": kind, "data": {"at": "then", "aggregate_id": "forged"}}  # fmt: skip
    payload = webhook_payload(public)
    assert payload == {"id": "e", "type": "t", "timestamp": "now", "data": payload["data"]}
    assert payload["data"] == {"aggregate_id": "a-1", "aggregate_type": kind, id_field: "a-1",
                               "at": "then"}  # fmt: skip
    assert list(payload["data"])[:3] == ["aggregate_id", "aggregate_type", id_field]
