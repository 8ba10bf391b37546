"""`password-reset/` answers 200 for every address, reserved domains included."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import assert_envelope

RESET = "/api/v1/accounts/password-reset/"


def test_any_address_is_200_even_on_a_reserved_domain(client: TestClient) -> None:
    for email in ("someone@example.test", "root@localhost", "a@b.invalid", "x@example.com"):
        response = client.post(RESET, json={"email": email})
        assert response.status_code == 200, (email, response.text)


def test_what_is_not_an_address_is_still_a_validation_error(client: TestClient) -> None:
    assert_envelope(client.post(RESET, json={"email": "nope"}), 422, "VALIDATION_ERROR")
    assert_envelope(client.post(RESET, json={"email": 42}), 400, "VALIDATION_ERROR")
    assert_envelope(client.post(RESET, json={}), 422, "VALIDATION_ERROR")
