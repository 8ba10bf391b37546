"""The profile over HTTP, and the `get_profile` query other contexts use."""

from __future__ import annotations

from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from aksio.bootstrap import System
from aksio.projections.accounts import get_profile
from tests.accounts.support import BASE, bearer, register
from tests.conftest import assert_envelope

PROFILE_KEYS = {
    "id", "username", "email", "first_name", "last_name", "bio", "timezone",
    "language_preference", "learning_style", "study_goals", "date_joined", "scheduler",
    "created_at", "updated_at", "desired_retention", "fsrs_parameters",
}  # fmt: skip


def test_get_profile_has_every_field(client: TestClient) -> None:
    session = register(client, "ada@example.com", first_name="Ada")
    profile = client.get(f"{BASE}/profile/", headers=bearer(session)).json()
    assert set(profile) == PROFILE_KEYS
    assert profile["first_name"] == "Ada" and profile["timezone"] == "UTC"
    assert profile["scheduler"] == "sm2" and profile["study_goals"] == []
    assert profile["date_joined"] == profile["created_at"]


def test_patch_changes_only_given_fields(client: TestClient) -> None:
    session = register(client, "ada@example.com", first_name="Ada", last_name="Lovelace")
    changes = {
        "bio": "Computer Science student interested in AI",
        "timezone": "America/New_York",
        "language_preference": "en",
        "learning_style": "visual",
        "study_goals": ["master_calculus", "prepare_for_exams"],
        "scheduler": "fsrs",
    }
    response = client.patch(f"{BASE}/profile/", json=changes, headers=bearer(session))
    assert response.status_code == 200, response.text
    profile = response.json()
    assert {k: profile[k] for k in changes} == changes
    assert profile["last_name"] == "Lovelace" and profile["updated_at"] >= profile["created_at"]
    again = client.get(f"{BASE}/profile/", headers=bearer(session)).json()
    assert again == profile


def test_get_profile_query_serves_other_contexts(client: TestClient, system: System) -> None:
    session = register(client, "ada@example.com")
    client.patch(
        f"{BASE}/profile/", json={"timezone": "Asia/Tokyo", "scheduler": "fsrs"},
        headers=bearer(session),
    )  # fmt: skip
    with system.engine.connect() as conn:
        row = get_profile(conn, UUID(session["user"]["id"]))
        assert row is not None and (row["timezone"], row["scheduler"]) == ("Asia/Tokyo", "fsrs")
        assert get_profile(conn, UUID(int=0)) is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"timezone": "EST5EDT "}, "timezone"),
        ({"scheduler": "leitner"}, "scheduler"),
        ({"email": "new@example.com"}, "email"),
    ],
)
def test_patch_rule_violations_are_422(
    client: TestClient, changes: dict[str, str], field: str
) -> None:
    session = register(client, "ada@example.com")
    response = client.patch(f"{BASE}/profile/", json=changes, headers=bearer(session))
    body = assert_envelope(response, 422, "VALIDATION_ERROR")
    assert field in body["details"]
    assert client.get(f"{BASE}/profile/", headers=bearer(session)).json()["timezone"] == "UTC"


def test_patch_wrong_type_is_400(client: TestClient) -> None:
    session = register(client, "ada@example.com")
    response = client.patch(f"{BASE}/profile/", json={"study_goals": "x"}, headers=bearer(session))
    assert_envelope(response, 400, "VALIDATION_ERROR")


def test_profile_needs_authentication(client: TestClient) -> None:
    assert_envelope(client.get(f"{BASE}/profile/"), 401, "AUTHENTICATION_FAILED")
    bad = {"Authorization": "Bearer nonsense"}
    assert_envelope(client.patch(f"{BASE}/profile/", json={}, headers=bad), 401,
                    "AUTHENTICATION_FAILED")  # fmt: skip


def test_token_without_an_account_has_no_profile(client: TestClient, auth: dict[str, str]) -> None:
    assert_envelope(client.get(f"{BASE}/profile/", headers=auth), 404, "RESOURCE_NOT_FOUND")
    response = client.patch(f"{BASE}/profile/", json={"bio": "x"}, headers=auth)
    assert_envelope(response, 404, "RESOURCE_NOT_FOUND")
