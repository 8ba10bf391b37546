"""Password reset through the file email backend, on SQLite and PostgreSQL."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from aksio.core.clock import FixedClock
from aksio.settings import Settings
from tests.accounts.support import BASE, PASSWORD, TOKEN_PATTERN, login, mails, register
from tests.conftest import assert_envelope

NEW_PASSWORD = "a brand new secret"


def mail_dir(settings: Settings) -> Path:
    assert settings.email_backend.startswith("file://")
    return Path(settings.email_backend.removeprefix("file://"))


def request_token(client: TestClient, settings: Settings, email: str) -> str:
    before = len(mails(mail_dir(settings)))
    response = client.post(f"{BASE}/password-reset/", json={"email": email})
    assert response.status_code == 200, response.text
    files = mails(mail_dir(settings))
    assert len(files) == before + 1
    message = message_from_bytes(files[-1].read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    assert message["To"] == email and "password" in message["Subject"].lower()
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    found = TOKEN_PATTERN.search(body.get_content())
    assert found is not None
    return found.group(0)


def confirm(client: TestClient, token: str, password: str = NEW_PASSWORD) -> Any:
    payload = {"token": token, "new_password": password}
    return client.post(f"{BASE}/password-reset-confirm/", json=payload)


def test_reset_replaces_the_password(client: TestClient, settings: Settings) -> None:
    register(client, "ada@example.com")
    token = request_token(client, settings, "ada@example.com")
    response = confirm(client, token)
    assert response.status_code == 200, response.text
    old = client.post(f"{BASE}/login/", json={"username": "ada@example.com", "password": PASSWORD})
    assert_envelope(old, 401, "AUTHENTICATION_FAILED")
    assert login(client, "ada@example.com", NEW_PASSWORD)["user"]["email"] == "ada@example.com"


def test_reset_revokes_every_refresh_token(client: TestClient, settings: Settings) -> None:
    sessions = [register(client, "ada@example.com"), login(client, "ada@example.com")]
    rotated = client.post(f"{BASE}/token/refresh/", json={"refresh": sessions[1]["refresh"]})
    sessions.append(rotated.json())
    token = request_token(client, settings, "ada@example.com")
    assert confirm(client, token).status_code == 200
    for session in (sessions[0], sessions[2]):
        response = client.post(f"{BASE}/token/refresh/", json={"refresh": session["refresh"]})
        assert_envelope(response, 401, "AUTHENTICATION_FAILED")
    fresh = login(client, "ada@example.com", NEW_PASSWORD)
    assert client.post(f"{BASE}/token/refresh/", json={"refresh": fresh["refresh"]}).is_success


def test_reset_token_works_once(client: TestClient, settings: Settings) -> None:
    register(client, "ada@example.com")
    token = request_token(client, settings, "ada@example.com")
    assert confirm(client, token).status_code == 200
    body = assert_envelope(confirm(client, token, "yet another one"), 422, "VALIDATION_ERROR")
    assert "token" in body["details"]
    login(client, "ada@example.com", NEW_PASSWORD)


def test_reset_token_expires_after_an_hour(
    client: TestClient, settings: Settings, clock: FixedClock
) -> None:
    register(client, "ada@example.com")
    token = request_token(client, settings, "ada@example.com")
    clock.advance(hours=2)
    assert_envelope(confirm(client, token), 422, "VALIDATION_ERROR")
    login(client, "ada@example.com", PASSWORD)


def test_a_newer_request_replaces_the_older_token(client: TestClient, settings: Settings) -> None:
    register(client, "ada@example.com")
    older = request_token(client, settings, "ada@example.com")
    newer = request_token(client, settings, "ada@example.com")
    assert_envelope(confirm(client, older), 422, "VALIDATION_ERROR")
    assert confirm(client, newer).status_code == 200


def test_unknown_email_answers_200_and_sends_nothing(
    client: TestClient, settings: Settings
) -> None:
    register(client, "ada@example.com", username="grace@example.com")
    for email in ("nobody@example.com", "grace@example.com"):
        response = client.post(f"{BASE}/password-reset/", json={"email": email})
        assert response.status_code == 200, response.text
    assert mails(mail_dir(settings)) == []


def test_reset_request_with_a_bad_email_is_422(client: TestClient) -> None:
    response = client.post(f"{BASE}/password-reset/", json={"email": "nope"})
    assert_envelope(response, 422, "VALIDATION_ERROR")


def test_forged_or_garbled_tokens_are_422(client: TestClient) -> None:
    user_id = register(client, "ada@example.com")["user"]["id"].replace("-", "")
    for token in ("garbage", f"{user_id}.guessed-secret-value-here", "0" * 32 + ".x"):
        body = assert_envelope(confirm(client, token), 422, "VALIDATION_ERROR")
        assert "token" in body["details"]


def test_short_new_password_is_422(client: TestClient, settings: Settings) -> None:
    register(client, "ada@example.com")
    token = request_token(client, settings, "ada@example.com")
    body = assert_envelope(confirm(client, token, "short"), 422, "VALIDATION_ERROR")
    assert "new_password" in body["details"]
    assert confirm(client, token).status_code == 200
