"""A null the profile cannot hold is refused before any event is stored."""

from __future__ import annotations

from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from aksio.aggregates.accounts.user import User
from aksio.bootstrap import System
from aksio.core.errors import ValidationFailed
from tests.accounts.support import bearer, register
from tests.conftest import assert_envelope

PROFILE = "/api/v1/accounts/profile/"
NOT_NULL = ["first_name", "last_name", "bio", "timezone", "language_preference", "study_goals"]


@pytest.mark.parametrize("field", NOT_NULL)
def test_null_is_422_stores_nothing_and_others_go_on(
    field: str, client: TestClient, system: System
) -> None:
    first = bearer(register(client, "first@example.com"))
    second = bearer(register(client, "second@example.com"))
    assert client.patch(PROFILE, json={"bio": "x"}, headers=first).status_code == 200
    head = system.store.head()
    body = assert_envelope(client.patch(PROFILE, json={field: None}, headers=first), 422,
                           "VALIDATION_ERROR")  # fmt: skip
    assert field in body["details"]
    assert system.store.head() == head
    assert client.get(PROFILE, headers=first).status_code == 200
    answer = client.patch(PROFILE, json={"first_name": "Ada"}, headers=second)
    assert answer.status_code == 200 and answer.json()["first_name"] == "Ada"


def test_openapi_says_not_nullable_and_learning_style_may_be_null(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()["components"]["schemas"]["ProfileUpdate"]
    for field in NOT_NULL:
        assert "anyOf" not in schema["properties"][field], field
    assert {"type": "null"} in schema["properties"]["learning_style"]["anyOf"]


def test_learning_style_null_clears_it(client: TestClient) -> None:
    auth = bearer(register(client, "style@example.com"))
    client.patch(PROFILE, json={"learning_style": "visual"}, headers=auth)
    answer = client.patch(PROFILE, json={"learning_style": None}, headers=auth)
    assert answer.status_code == 200 and answer.json()["learning_style"] is None


@pytest.mark.parametrize("body", [{"first_name": 5}, {"study_goals": "read"}, {"bio": False}])
def test_wrong_types_are_400(body: dict[str, object], client: TestClient) -> None:
    auth = bearer(register(client, "types@example.com"))
    assert_envelope(client.patch(PROFILE, json=body, headers=auth), 400, "VALIDATION_ERROR")


@pytest.mark.parametrize(
    "changes",
    [{"first_name": None}, {"bio": 5}, {"study_goals": None}, {"study_goals": [1]},
     {"timezone": None}, {"scheduler": None}, {"bio": "a\x00b"}, {"nickname": "x"}],
)  # fmt: skip
def test_the_user_refuses_what_its_events_cannot_carry(changes: dict[str, object]) -> None:
    user = User.register(uuid4(), "a@example.com", "a", "hash", {})
    with pytest.raises(ValidationFailed):
        user.update_profile(changes)
    assert len(user.collect_events()) == 1
