"""Nulls a course, section or flashcard cannot hold are refused before anything is stored."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from aksio.bootstrap import System
from tests.conftest import assert_envelope
from tests.flashcards.support import BASE as CARDS
from tests.flashcards.support import make_card, make_course

Headers = dict[str, str]
COURSES = "/api/v1/courses/"
# (resource, field, OpenAPI schema of its PATCH body)
NOT_NULL = [
    ("course", "name", "CourseUpdate"),
    ("section", "title", "SectionUpdate"),
    ("section", "order", "SectionUpdate"),
    ("flashcard", "question", "FlashcardUpdate"),
    ("flashcard", "answer", "FlashcardUpdate"),
    ("flashcard", "difficulty_level", "FlashcardUpdate"),
]


def _url(client: TestClient, auth: Headers, resource: str) -> str:
    course = make_course(client, auth)
    if resource == "course":
        return f"{COURSES}{course}/"
    if resource == "section":
        section = client.post(f"{COURSES}{course}/sections/", json={"title": "One"}, headers=auth)
        return f"{COURSES}{course}/sections/{section.json()['id']}/"
    return f"{CARDS}/{make_card(client, auth, course)['id']}/"


@pytest.mark.parametrize(("resource", "field", "schema"), NOT_NULL)
def test_null_is_422_and_nothing_is_stored(
    resource: str,
    field: str,
    schema: str,
    client: TestClient,
    system: System,
    make_user: Callable[[], Headers],
) -> None:
    first, second = make_user(), make_user()
    url = _url(client, first, resource)
    head = system.store.head()
    body = assert_envelope(client.patch(url, json={field: None}, headers=first), 422,
                           "VALIDATION_ERROR")  # fmt: skip
    assert field in body["details"]
    assert system.store.head() == head
    assert client.get(url, headers=first).status_code == 200
    assert client.get(_url(client, second, resource), headers=second).status_code == 200
    properties = client.get("/openapi.json").json()["components"]["schemas"][schema]["properties"]
    assert "anyOf" not in properties[field] and "default" not in properties[field]


def test_fields_that_may_be_empty_accept_null(client: TestClient, auth: Headers) -> None:
    course = make_course(client, auth, description="About", credits=4)
    patched = client.patch(f"{COURSES}{course}/", json={"description": None, "credits": None},
                           headers=auth)  # fmt: skip
    assert patched.status_code == 200, patched.text
    assert patched.json()["description"] is None and patched.json()["credits"] is None


@pytest.mark.parametrize(
    "body",
    [{"name": 5}, {"credits": "4"}, {"credits": 4.5}, {"credits": True}, {"start_date": 0}],
)
def test_no_coercion(body: dict[str, Any], client: TestClient, auth: Headers) -> None:
    assert_envelope(client.post(COURSES, json={"name": "C", **body}, headers=auth), 400,
                    "VALIDATION_ERROR")  # fmt: skip


def test_order_beyond_a_column_is_refused(client: TestClient, auth: Headers) -> None:
    course = make_course(client, auth)
    answer = client.post(f"{COURSES}{course}/sections/", json={"title": "T", "order": 2**40},
                         headers=auth)  # fmt: skip
    assert_envelope(answer, 422, "VALIDATION_ERROR")
