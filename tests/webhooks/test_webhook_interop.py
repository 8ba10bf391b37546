"""Real deliveries checked by the official Standard Webhooks verifier, the `standardwebhooks`
library a subscriber would use: real events (a flashcard review, a processed document), a
generated secret, and an endpoint stored before secrets had to be `whsec_` ones."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from standardwebhooks import Webhook, WebhookVerificationError

from aksio.aggregates.webhooks.endpoint import WebhookEndpoint
from aksio.bootstrap import System
from tests.webhooks.support import Received, Receiver

Headers = dict[str, str]
CARDS = "/api/v1/assessments/flashcards"


def register(client: TestClient, auth: Headers, url: str, events: list[str]) -> dict[str, Any]:
    """Registers without a secret, so the server generates (and shows) one."""
    response = client.post("/api/v1/webhooks/register/", json={"url": url, "events": events},
                           headers=auth)  # fmt: skip
    assert response.status_code == 201, response.text
    hook: dict[str, Any] = response.json()
    assert hook["secret"].startswith("whsec_") and hook["key_format"] == "whsec"
    return hook


def verified(secret: str | bytes, got: Received) -> dict[str, Any]:
    """What the official library makes of a delivery: raises unless the signature matches."""
    body: dict[str, Any] = Webhook(secret).verify(got.body, got.headers)
    return body


def make_course(client: TestClient, auth: Headers) -> str:
    response = client.post("/api/v1/courses/", json={"name": "Biology"}, headers=auth)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def reviewed_card(client: TestClient, auth: Headers) -> str:
    body = {"course": make_course(client, auth), "question": "ATP?", "answer": "Energy"}
    card = client.post(f"{CARDS}/", json=body, headers=auth)
    assert card.status_code == 201, card.text
    card_id = str(card.json()["id"])
    review = client.post(f"{CARDS}/{card_id}/review/", json={"quality_response": 4}, headers=auth)
    assert review.status_code == 200, review.text
    return card_id


def test_a_flashcard_review_verifies_and_names_the_card(
    client: TestClient, auth: Headers, system: System, receiver: Receiver
) -> None:
    hook = register(client, auth, receiver.url("/cards"), ["flashcard.reviewed"])
    card_id = reviewed_card(client, auth)
    system.drain()
    [got] = receiver.at("/cards")
    body = verified(hook["secret"], got)
    assert body["type"] == "flashcard.reviewed" and body == json.loads(got.body)
    data = body["data"]
    assert data["flashcard_id"] == data["aggregate_id"] == card_id
    assert data["aggregate_type"] == "flashcard" and data["quality"] == 4
    with pytest.raises(WebhookVerificationError):
        verified(register(client, auth, receiver.url("/x"), ["goal.completed"])["secret"], got)


def test_a_processed_document_verifies_and_names_the_document(
    client: TestClient, auth: Headers, system: System, receiver: Receiver
) -> None:
    hook = register(client, auth, receiver.url("/docs"), ["document.processing.completed"])
    course = make_course(client, auth)
    files = {"file": ("notes.txt", b"Cells are the units of life.", "text/plain")}
    upload = client.post(f"/api/v1/courses/{course}/documents/upload/", files=files, headers=auth)
    assert upload.status_code == 201, upload.text
    document_id = upload.json()["document"]["id"]
    system.drain()
    [got] = receiver.at("/docs")
    data = verified(hook["secret"], got)["data"]
    assert data["document_id"] == data["aggregate_id"] == document_id
    assert data["aggregate_type"] == "document" and "summary" in data


def test_an_endpoint_stored_before_whsec_secrets_keeps_its_utf_8_key(
    client: TestClient, auth: Headers, system: System, receiver: Receiver
) -> None:
    """Its Created event has no `key_format`: it signs with the secret's UTF-8 bytes (which
    the library takes as a raw key) until its owner gives it a `whsec_` secret."""
    owner = system.tokens.user_of_access(auth["Authorization"].split()[1])
    old_secret = "an-old-plain-secret"
    hook_id = store_old_endpoint(system, owner, receiver.url("/old"), old_secret)
    system.drain()
    shown = client.get(f"/api/v1/webhooks/{hook_id}/", headers=auth).json()
    assert shown["key_format"] == "utf-8" and old_secret not in json.dumps(shown)
    first = reviewed_card(client, auth)
    system.drain()
    assert verified(old_secret.encode(), receiver.at("/old")[0])["data"]["flashcard_id"] == first

    new_secret = "whsec_" + "c2VjcmV0LWJ5dGVzLW9mLXRoZS1yb3RhdGVkLWtleQ=="
    patched = client.patch(f"/api/v1/webhooks/{hook_id}/", json={"secret": new_secret},
                           headers=auth)  # fmt: skip
    assert patched.status_code == 200 and patched.json()["key_format"] == "whsec"
    second = reviewed_card(client, auth)
    system.drain()
    got = receiver.at("/old")[1]
    assert verified(new_secret, got)["data"]["flashcard_id"] == second
    with pytest.raises(WebhookVerificationError):
        verified(new_secret.encode(), got)


def store_old_endpoint(system: System, owner: UUID, url: str, secret: str) -> UUID:
    """Appends a `WebhookEndpoint.Created` in the form stored before `key_format` existed."""
    sealed = system.services.secret_box.seal(secret)
    endpoint = WebhookEndpoint.register(owner, url, ["flashcard.reviewed"], sealed, "utf-8")
    [created] = endpoint.collect_events()
    stored = system.store.mapper.to_stored_event(created)
    state = json.loads(stored.state)
    del state["key_format"]
    old = type(stored)(**{**vars(stored), "state": json.dumps(state).encode()})
    system.store.recorder.insert_events([old])
    return endpoint.id
