"""Registering, listing, changing and deleting webhooks over HTTP."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from fastapi.testclient import TestClient

from aksio.bootstrap import System
from aksio.integrations.fetcher import UrlFetcher
from aksio.integrations.signing import standard_key
from tests.conftest import assert_envelope

Headers = dict[str, str]
BASE = "/api/v1/webhooks/"
HOOK = {
    "url": "http://127.0.0.1:9/hook",
    "events": ["flashcard.reviewed"],
    "secret": "whsec_" + base64.b64encode(b"a secret of thirty-two bytes ...").decode(),
}


def register(client: TestClient, auth: Headers, **changes: Any) -> dict[str, Any]:
    response = client.post(f"{BASE}register/", json={**HOOK, **changes}, headers=auth)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_register_answers_without_the_secret_and_lists(client: TestClient, auth: Headers) -> None:
    hook = register(client, auth, events=["document.processing.completed", "goal.completed"])
    assert {"id", "url", "events", "created_at", "updated_at"} <= set(hook)
    assert hook["events"] == ["document.processing.completed", "goal.completed"]
    assert hook["status"] == "active" and hook["key_format"] == "whsec"
    assert hook.pop("secret") is None and HOOK["secret"][6:] not in str(hook)
    listed = client.get(BASE, headers=auth).json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == hook["id"]
    shown = client.get(f"{BASE}{hook['id']}/", headers=auth).json()
    assert shown == hook and HOOK["secret"][6:] not in client.get(BASE, headers=auth).text


def test_a_registration_without_secret_gets_one_shown_once(
    client: TestClient, auth: Headers
) -> None:
    body = {key: value for key, value in HOOK.items() if key != "secret"}
    response = client.post(f"{BASE}register/", json=body, headers=auth)
    assert response.status_code == 201, response.text
    hook = response.json()
    secret = hook.pop("secret")
    assert len(standard_key(secret)) == 32 and hook["key_format"] == "whsec"
    again = client.post(f"{BASE}register/", json=body, headers=auth).json()
    assert again["secret"] != secret
    for path in (BASE, f"{BASE}{hook['id']}/"):
        shown = client.get(path, headers=auth)
        assert secret[6:] not in shown.text and "secret" not in shown.json()


def test_patch_and_delete(client: TestClient, auth: Headers) -> None:
    hook = register(client, auth)
    url = f"{BASE}{hook['id']}/"
    patched = client.patch(url, json={"events": ["goal.completed"], "status": "disabled"},
                           headers=auth).json()  # fmt: skip
    assert patched["events"] == ["goal.completed"] and patched["status"] == "disabled"
    assert client.patch(url, json={"status": "active"}, headers=auth).json()["status"] == "active"
    assert client.delete(url, headers=auth).status_code == 204
    assert_envelope(client.get(url, headers=auth), 404, "RESOURCE_NOT_FOUND")
    assert_envelope(client.delete(url, headers=auth), 404, "RESOURCE_NOT_FOUND")
    assert client.get(BASE, headers=auth).json()["count"] == 0


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"events": ["flashcard.eaten"]}, 422),
        ({"events": []}, 422),
        ({"url": "gopher://8.8.8.8/x"}, 422),
        ({"secret": "short"}, 422),
        ({"secret": "s3cret-value-of-the-old-kind"}, 422),
        ({"secret": "whsec_" + base64.b64encode(b"16 bytes is few.").decode()}, 422),
        ({"secret": "whsec_not base64 at all, not at all!"}, 422),
        ({"secret": None}, 422),
        ({"secret": 12345678}, 400),
        ({"events": "flashcard.reviewed"}, 400),
        ({"extra": 1}, 422),
    ],
)
def test_bad_registrations(client: TestClient, auth: Headers, changes: Any, status: int) -> None:
    response = client.post(f"{BASE}register/", json={**HOOK, **changes}, headers=auth)
    body = assert_envelope(response, status, "VALIDATION_ERROR")
    if "secret" in changes and status == 422:
        assert "secret" in body["details"]


def test_a_changed_secret_must_be_a_whsec_one(client: TestClient, auth: Headers) -> None:
    hook = register(client, auth)
    url = f"{BASE}{hook['id']}/"
    refused = client.patch(url, json={"secret": "s3cret-value-of-the-old-kind"}, headers=auth)
    assert "secret" in assert_envelope(refused, 422, "VALIDATION_ERROR")["details"]
    fresh = "whsec_" + base64.b64encode(b"another secret, 64 bytes long" * 2 + b"!!!!").decode()
    changed = client.patch(url, json={"secret": fresh}, headers=auth)
    assert changed.status_code == 200 and changed.json()["key_format"] == "whsec"


def test_private_urls_are_refused_unless_allowed(
    client: TestClient, auth: Headers, system: System
) -> None:
    system.services.fetcher = UrlFetcher(allow_private=False)
    refused = ("http://127.0.0.1:9/hook", "http://169.254.169.254/", "http://localhost/",
               "http://10.0.0.7/", "http://[::1]/", "http://2130706433/")  # fmt: skip
    for url in refused:
        response = client.post(f"{BASE}register/", json={**HOOK, "url": url}, headers=auth)
        body = assert_envelope(response, 422, "VALIDATION_ERROR")
        assert "url" in body["details"]
    assert client.get(BASE, headers=auth).json()["count"] == 0


def test_another_users_webhook_is_not_found(
    client: TestClient, auth: Headers, make_user: Any
) -> None:
    hook = register(client, auth)
    stranger = make_user()
    for path in (f"{BASE}{hook['id']}/", f"{BASE}{hook['id']}/deliveries/"):
        assert_envelope(client.get(path, headers=stranger), 404, "RESOURCE_NOT_FOUND")
    assert_envelope(client.delete(f"{BASE}{hook['id']}/", headers=stranger), 404,
                    "RESOURCE_NOT_FOUND")  # fmt: skip
    assert_envelope(client.get(f"{BASE}not-a-uuid/", headers=auth), 404, "RESOURCE_NOT_FOUND")
    assert_envelope(client.get(BASE), 401, "AUTHENTICATION_FAILED")
