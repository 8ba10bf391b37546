"""Chat bodies are not coerced, and nulls mean what the schema says."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from aksio.bootstrap import System
from tests.ai.support import chat
from tests.conftest import assert_envelope

Headers = dict[str, str]
CHATS = "/api/v1/chat/chats"


@pytest.mark.parametrize(
    "body", [{"temperature": False}, {"is_pinned": 0}, {"is_favorite": "yes"}, {"title": 1}]
)
def test_patch_is_not_coerced(
    body: dict[str, Any], client: TestClient, system: System, auth: Headers
) -> None:
    made = chat(client, auth)
    head = system.store.head()
    answer = client.patch(f"{CHATS}/{made['id']}/", json=body, headers=auth)
    assert_envelope(answer, 400, "VALIDATION_ERROR")
    assert system.store.head() == head


def test_send_message_flag_is_not_coerced(client: TestClient, auth: Headers) -> None:
    made = chat(client, auth)
    body = {"content": "Hi", "include_course_context": 0}
    answer = client.post(f"{CHATS}/{made['id']}/send_message/", json=body, headers=auth)
    assert_envelope(answer, 400, "VALIDATION_ERROR")


def test_null_title_is_422_and_null_prompt_clears(client: TestClient, auth: Headers) -> None:
    made = chat(client, auth, system_prompt="Be brief.")
    url = f"{CHATS}/{made['id']}/"
    assert_envelope(client.patch(url, json={"title": None}, headers=auth), 422,
                    "VALIDATION_ERROR")  # fmt: skip
    cleared = client.patch(url, json={"system_prompt": None}, headers=auth)
    assert cleared.status_code == 200 and cleared.json()["system_prompt"] is None
