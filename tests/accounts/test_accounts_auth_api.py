"""Registration, login, token refresh and logout over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient

from aksio.bootstrap import System
from aksio.core.clock import FixedClock
from aksio.integrations.tokens import RefreshClaims
from tests.accounts.support import BASE, PASSWORD, bearer, login, register
from tests.conftest import assert_envelope


def test_register_answers_tokens_and_user(client: TestClient) -> None:
    body = register(client, "ada@example.com", first_name="Ada", last_name="Lovelace")
    assert set(body) == {"access", "refresh", "user"}
    user = body["user"]
    assert set(user) == {"id", "username", "email", "first_name", "last_name"}
    assert user["username"] == "ada@example.com" and user["first_name"] == "Ada"
    profile = client.get(f"{BASE}/profile/", headers=bearer(body))
    assert profile.status_code == 200 and profile.json()["id"] == user["id"]
    assert "password" not in profile.text and "argon2" not in profile.text


def test_register_with_explicit_username(client: TestClient) -> None:
    body = register(client, "ada@example.com", username="ada")
    assert body["user"]["username"] == "ada"
    assert login(client, "ada")["user"]["id"] == body["user"]["id"]
    assert login(client, "ADA@example.com")["user"]["id"] == body["user"]["id"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "ada@example.com", "password": "short"}, "password"),
        ({"email": "not-an-email", "password": PASSWORD}, "email"),
        ({"email": "ada@example.com", "password": PASSWORD, "username": "a b"}, "username"),
    ],
)
def test_register_rule_violations_are_422(
    client: TestClient, payload: dict[str, str], field: str
) -> None:
    body = assert_envelope(client.post(f"{BASE}/register/", json=payload), 422, "VALIDATION_ERROR")
    assert field in body["details"]


def test_register_wrong_type_is_400(client: TestClient) -> None:
    response = client.post(f"{BASE}/register/", json={"email": "a@example.com", "password": 5})
    assert_envelope(response, 400, "VALIDATION_ERROR")


def test_taken_email_is_422_naming_email(client: TestClient) -> None:
    register(client, "ada@example.com")
    again = {"email": "ADA@example.com", "password": PASSWORD, "username": "other"}
    body = assert_envelope(client.post(f"{BASE}/register/", json=again), 422, "VALIDATION_ERROR")
    assert list(body["details"]) == ["email"]


def test_taken_username_is_422_naming_username(client: TestClient) -> None:
    register(client, "ada@example.com", username="ada")
    again = {"email": "grace@example.com", "password": PASSWORD, "username": "Ada"}
    body = assert_envelope(client.post(f"{BASE}/register/", json=again), 422, "VALIDATION_ERROR")
    assert list(body["details"]) == ["username"]


@pytest.mark.parametrize("username", ["ada@example.com", "nobody@example.com"])
def test_wrong_credentials_are_401(client: TestClient, username: str) -> None:
    register(client, "ada@example.com")
    response = client.post(f"{BASE}/login/", json={"username": username, "password": "wrong pass"})
    assert_envelope(response, 401, "AUTHENTICATION_FAILED")


@pytest.mark.parametrize("path", ["token-refresh/", "token/refresh/"])
def test_refresh_rotates_the_refresh_token(client: TestClient, path: str) -> None:
    first = register(client, "ada@example.com")
    response = client.post(f"{BASE}/{path}", json={"refresh": first["refresh"]})
    assert response.status_code == 200, response.text
    pair = response.json()
    assert set(pair) == {"access", "refresh"} and pair["refresh"] != first["refresh"]
    assert client.get(f"{BASE}/profile/", headers=bearer(pair)).status_code == 200
    used = client.post(f"{BASE}/{path}", json={"refresh": first["refresh"]})
    assert_envelope(used, 401, "AUTHENTICATION_FAILED")


def test_reusing_a_rotated_token_revokes_the_whole_family(client: TestClient) -> None:
    first = register(client, "ada@example.com")
    second = client.post(f"{BASE}/token/refresh/", json={"refresh": first["refresh"]}).json()
    stolen = client.post(f"{BASE}/token/refresh/", json={"refresh": first["refresh"]})
    assert_envelope(stolen, 401, "AUTHENTICATION_FAILED")
    newest = client.post(f"{BASE}/token/refresh/", json={"refresh": second["refresh"]})
    assert_envelope(newest, 401, "AUTHENTICATION_FAILED")


def test_reuse_revokes_only_that_family(client: TestClient) -> None:
    first = register(client, "ada@example.com")
    other = login(client, "ada@example.com")
    client.post(f"{BASE}/token/refresh/", json={"refresh": first["refresh"]})
    client.post(f"{BASE}/token/refresh/", json={"refresh": first["refresh"]})
    response = client.post(f"{BASE}/token/refresh/", json={"refresh": other["refresh"]})
    assert response.status_code == 200, response.text


def test_malformed_refresh_token_is_401(client: TestClient) -> None:
    response = client.post(f"{BASE}/token/refresh/", json={"refresh": "not.a.jwt"})
    assert_envelope(response, 401, "AUTHENTICATION_FAILED")


def test_refresh_token_of_an_expired_family_is_401(client: TestClient, clock: FixedClock) -> None:
    first = register(client, "ada@example.com")
    clock.advance(days=7, seconds=1)
    response = client.post(f"{BASE}/token/refresh/", json={"refresh": first["refresh"]})
    assert_envelope(response, 401, "AUTHENTICATION_FAILED")


def test_refresh_token_is_not_an_access_token(client: TestClient) -> None:
    session = register(client, "ada@example.com")
    headers = {"Authorization": f"Bearer {session['refresh']}"}
    assert_envelope(client.get(f"{BASE}/profile/", headers=headers), 401, "AUTHENTICATION_FAILED")


def test_access_token_is_not_a_refresh_token(client: TestClient) -> None:
    session = register(client, "ada@example.com")
    response = client.post(f"{BASE}/token/refresh/", json={"refresh": session["access"]})
    assert_envelope(response, 401, "AUTHENTICATION_FAILED")


def test_logout_revokes_the_refresh_token(client: TestClient) -> None:
    session = register(client, "ada@example.com")
    response = client.post(f"{BASE}/logout/", json={"refresh": session["refresh"]})
    assert response.status_code == 200, response.text
    again = client.post(f"{BASE}/token-refresh/", json={"refresh": session["refresh"]})
    assert_envelope(again, 401, "AUTHENTICATION_FAILED")
    other = login(client, "ada@example.com")
    assert client.post(f"{BASE}/token-refresh/", json={"refresh": other["refresh"]}).is_success


def test_logout_with_a_bad_token_is_401(client: TestClient) -> None:
    response = client.post(f"{BASE}/logout/", json={"refresh": "garbage"})
    assert_envelope(response, 401, "AUTHENTICATION_FAILED")


def test_logout_without_the_token_is_422(client: TestClient) -> None:
    assert_envelope(client.post(f"{BASE}/logout/", json={}), 422, "VALIDATION_ERROR")


def test_signed_refresh_token_of_an_unknown_family_is_401(
    client: TestClient, system: System
) -> None:
    user_id = UUID(register(client, "ada@example.com")["user"]["id"])
    forged = system.tokens.refresh(RefreshClaims(user_id, uuid4(), uuid4()), system.clock.now())
    response = client.post(f"{BASE}/token/refresh/", json={"refresh": forged})
    assert_envelope(response, 401, "AUTHENTICATION_FAILED")
