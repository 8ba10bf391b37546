"""The audit endpoint: your own aggregates' stored events, in the event stream's form."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from aksio.bootstrap import System
from aksio.core.public_events import to_public
from tests.conftest import assert_envelope
from tests.quizzes.support import add, answer, complete, correct_option, make_quiz, mc, ok, start

Headers = dict[str, str]
AUDIT = "/api/v1/audit/events/"


def audit(client: TestClient, auth: Headers, aggregate_id: str, **params: Any) -> Any:
    return client.get(AUDIT, params={"aggregate_id": aggregate_id, **params}, headers=auth)


def make_course(client: TestClient, auth: Headers) -> str:
    course = ok(client.post("/api/v1/courses/", json={"name": "Calculus"}, headers=auth), 201)
    url = f"/api/v1/courses/{course['id']}/"
    ok(client.patch(url, json={"credits": 4}, headers=auth))
    ok(client.post(f"{url}sections/", json={"title": "Limits"}, headers=auth), 201)
    return str(course["id"])


def test_lists_own_events_in_order(client: TestClient, auth: Headers, system: System) -> None:
    course_id = make_course(client, auth)
    listed = ok(audit(client, auth, course_id))
    assert listed["count"] == 3 and listed["next"] is None
    events = listed["results"]
    assert [e["type"] for e in events] == ["course.created", "course.updated",
                                           "course.section_added"]  # fmt: skip
    assert [e["version"] for e in events] == [1, 2, 3]
    positions = [e["position"] for e in events]
    assert positions == sorted(positions) and len(set(positions)) == 3
    assert {e["aggregate_id"] for e in events} == {course_id}
    assert {e["aggregate_type"] for e in events} == {"course"}
    assert events[1]["data"] == {"changes": {"credits": 4}}
    assert len({e["id"] for e in events}) == 3
    stored = {n.id: n for n in system.store.read(after=0, limit=100)}
    for item in events:
        assert item == to_public(item["position"], system.store.mapper.to_domain_event(
            stored[item["position"]]))  # fmt: skip
    assert ok(audit(client, auth, course_id)) == listed  # stable ids and positions


def test_pages(client: TestClient, auth: Headers) -> None:
    course_id = make_course(client, auth)
    first = ok(audit(client, auth, course_id, page_size=2))
    assert first["count"] == 3 and [e["version"] for e in first["results"]] == [1, 2]
    assert "page=2" in first["next"] and first["previous"] is None
    second = ok(client.get(first["next"], headers=auth))
    assert [e["version"] for e in second["results"]] == [3] and second["next"] is None


def test_another_users_or_a_missing_aggregate_is_404(
    client: TestClient, auth: Headers, make_user: Callable[[], Headers]
) -> None:
    course_id = make_course(client, auth)
    assert_envelope(audit(client, make_user(), course_id), 404, "RESOURCE_NOT_FOUND")
    assert_envelope(audit(client, auth, str(uuid.uuid4())), 404, "RESOURCE_NOT_FOUND")
    assert_envelope(audit(client, auth, "not-a-uuid"), 400, "VALIDATION_ERROR")
    assert_envelope(client.get(AUDIT, headers=auth), 422, "VALIDATION_ERROR")
    assert_envelope(client.get(AUDIT, params={"aggregate_id": course_id}), 401,
                    "AUTHENTICATION_FAILED")  # fmt: skip


def test_own_account_without_secrets(client: TestClient) -> None:
    body = {"email": "ada@example.com", "password": "correct horse battery"}
    session = ok(client.post("/api/v1/accounts/register/", json=body), 201)
    auth = {"Authorization": f"Bearer {session['access']}"}
    ok(client.post("/api/v1/accounts/password-reset/", json={"email": body["email"]}))
    listed = ok(audit(client, auth, session["user"]["id"]))
    assert listed["count"] >= 2 and listed["results"][0]["type"] == "user.created"
    text = str(listed).lower()
    assert "password_hash" not in text and "token_hash" not in text
    assert "argon2" not in text and "correct horse" not in text


def test_quiz_attempt_events_and_hidden_answer_key(client: TestClient, auth: Headers) -> None:
    quiz = make_quiz(client, auth)
    question = add(client, auth, quiz["id"], mc())
    attempt_id = start(client, auth, quiz["id"])["attempt_id"]
    for aggregate_id in (quiz["id"], attempt_id):
        text = audit(client, auth, aggregate_id).text
        assert "is_correct" not in text and "power rule" not in text.lower()
    ok(answer(client, auth, attempt_id, question=question["id"],
              selected_options=[correct_option(question)]))  # fmt: skip
    ok(complete(client, auth, attempt_id))
    events = ok(audit(client, auth, attempt_id))["results"]
    assert [e["type"] for e in events] == ["quiz.attempt.started",
                                           "quiz.attempt.response_submitted",
                                           "quiz.attempt.completed"]  # fmt: skip
    assert {e["aggregate_type"] for e in events} == {"quiz_attempt"}
    assert events[2]["data"]["result"]["score"] == 5
    assert events[2]["data"]["result"]["detailed_results"][0]["is_correct"] is True
    quiz_events = ok(audit(client, auth, quiz["id"]))["results"]
    assert [e["type"] for e in quiz_events] == ["quiz.created", "quiz.question_added",
                                                "quiz.attempt_started"]  # fmt: skip
