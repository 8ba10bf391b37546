"""Paging and numeric query parameters are bounded: a huge value is 422 or an empty page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from aksio.api.deps import MAX_PAGE
from aksio.settings import Settings
from tests.conftest import assert_envelope, make_settings

HUGE = 10**20  # past a 64-bit integer: it used to reach the database and overflow (500)
LISTS = [
    "/api/v1/courses/",
    "/api/v1/courses/{course}/sections/",
    "/api/v1/courses/{course}/documents/",
    "/api/v1/assessments/",
    "/api/v1/assessments/flashcards/",
    "/api/v1/assessments/quizzes/",
    "/api/v1/assessments/quizzes/{quiz}/attempts/",
    "/api/v1/audit/events/?aggregate_id={course}",
    "/api/v1/learning/study-plans/",
    "/api/v1/learning/goals/",
    "/api/v1/learning/study-sessions/",
    "/api/v1/webhooks/",
    "/api/v1/webhooks/{webhook}/deliveries/",
    "/api/v1/chat/chats/",
    "/api/v1/chat/chats/{chat}/messages/",
    "/api/v1/chat/tutoring-sessions/",
]


@pytest.fixture
def settings(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    # A webhook on a loopback address (never called here) gives the deliveries list a parent.
    url = request.getfixturevalue("pg_url") if backend == "postgres" else None
    return make_settings(tmp_path, url, allow_private_urls=True)


@pytest.fixture
def ids(client: TestClient, auth: dict[str, str]) -> dict[str, str]:
    course = client.post("/api/v1/courses/", json={"name": "Bounds"}, headers=auth).json()["id"]
    quiz = client.post(
        "/api/v1/assessments/quizzes/", json={"course": course, "title": "Q"}, headers=auth
    ).json()["id"]
    chat = client.post("/api/v1/chat/chats/", json={"title": "C"}, headers=auth).json()["id"]
    hook = {
        "url": "http://127.0.0.1:9/hook",
        "events": ["flashcard.reviewed"],
        "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    }
    made = client.post("/api/v1/webhooks/register/", json=hook, headers=auth)
    assert made.status_code == 201, made.text
    webhook = made.json()["id"]
    return {"course": course, "quiz": quiz, "chat": chat, "webhook": webhook}


def _url(template: str, ids: dict[str, str], **query: int) -> str:
    url = template.format(**ids)
    pairs = "&".join(f"{name}={value}" for name, value in query.items())
    return url + ("&" if "?" in url else "?") + pairs


@pytest.mark.parametrize("template", LISTS)
def test_a_huge_page_is_refused_and_the_last_allowed_page_is_empty(
    client: TestClient, auth: dict[str, str], ids: dict[str, str], template: str
) -> None:
    refused = client.get(_url(template, ids, page=HUGE), headers=auth)
    body = assert_envelope(refused, 422, "VALIDATION_ERROR")
    assert "page" in body["details"]

    last = client.get(_url(template, ids, page=MAX_PAGE, page_size=200), headers=auth)
    assert last.status_code == 200, last.text
    assert last.json()["results"] == [] and last.json()["next"] is None


def _numeric_query_params(openapi: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for path, operations in openapi["paths"].items():
        for operation in operations.values():
            for param in operation.get("parameters", []):
                schema = param.get("schema", {})
                variants = [schema, *schema.get("anyOf", [])]
                for variant in variants:
                    if param["in"] == "query" and variant.get("type") in ("integer", "number"):
                        found.append((path, param["name"], variant))
    return found


def test_every_numeric_query_parameter_has_bounds_and_every_paged_list_is_tested(
    client: TestClient,
) -> None:
    params = _numeric_query_params(client.get("/openapi.json").json())
    assert params
    unbounded = [(p, n) for p, n, s in params if "maximum" not in s or "minimum" not in s]
    assert unbounded == []
    paged = {path for path, name, _ in params if name == "page"}
    tested = {template.split("?")[0] for template in LISTS}
    names = ("course", "quiz", "chat", "webhook")
    for name in names:
        paged = {path.replace(f"{{{name}_id}}", f"{{{name}}}") for path in paged}
    assert paged == tested


@pytest.mark.parametrize("param", ["page_size", "limit", "days", "weeks", "max_chunks"])
def test_numeric_parameters_past_their_bound_are_refused(
    client: TestClient, auth: dict[str, str], ids: dict[str, str], param: str
) -> None:
    url = {
        "page_size": "/api/v1/courses/",
        "limit": "/api/v1/assessments/flashcards/due/",
        "days": "/api/v1/learning/analytics/overview/",
        "weeks": "/api/v1/learning/analytics/performance_trends/",
        "max_chunks": "/api/v1/courses/{course}/documents/search/?q=x",
    }[param]
    response = client.get(_url(url, ids, **{param: HUGE}), headers=auth)
    assert_envelope(response, 422, "VALIDATION_ERROR")
