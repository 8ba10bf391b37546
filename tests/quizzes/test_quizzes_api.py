"""Quizzes and their questions over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from fastapi.testclient import TestClient

from aksio.bootstrap import System
from tests.conftest import assert_envelope
from tests.quizzes.support import (
    QUIZZES,
    Headers,
    add,
    make_course,
    make_quiz,
    mc,
    ok,
    short,
    start,
    tf,
)


def test_create_answers_the_full_quiz_and_lists_it(client: TestClient, auth: Headers) -> None:
    quiz = make_quiz(
        client, auth, quiz_type="exam", time_limit_minutes=60, passing_score=70, max_attempts=3,
        randomize_questions=True, show_results_immediately=False,
    )  # fmt: skip
    assert quiz["quiz_type"] == "exam" and quiz["time_limit_minutes"] == 60
    assert quiz["max_attempts"] == 3 and quiz["randomize_questions"] is True
    assert quiz["status"] == "active" and quiz["questions"] == []
    assert quiz["created_at"] == quiz["updated_at"]
    defaults = make_quiz(client, auth)
    assert (defaults["quiz_type"], defaults["passing_score"], defaults["max_attempts"]) == (
        "practice", 70, None)  # fmt: skip
    listed = ok(client.get(QUIZZES, headers=auth))
    assert [q["id"] for q in listed["results"]] == [quiz["id"], defaults["id"]]
    by_course = ok(client.get(f"{QUIZZES}?course={quiz['course']}", headers=auth))
    assert by_course["count"] == 1 and by_course["results"][0]["id"] == quiz["id"]


def test_patch_and_delete_archive(client: TestClient, auth: Headers) -> None:
    quiz = make_quiz(client, auth, time_limit_minutes=30)
    url = f"{QUIZZES}{quiz['id']}/"
    patched = ok(client.patch(url, json={"title": "Final", "time_limit_minutes": None},
                              headers=auth))  # fmt: skip
    assert patched["title"] == "Final" and patched["time_limit_minutes"] is None
    assert ok(client.patch(url, json={"status": "archived"}, headers=auth))["status"] == "archived"
    assert ok(client.patch(url, json={"status": "active"}, headers=auth))["status"] == "active"
    assert client.delete(url, headers=auth).status_code == 204
    assert ok(client.get(url, headers=auth))["status"] == "archived"
    assert ok(client.get(f"{QUIZZES}?status=active", headers=auth))["count"] == 0
    assert_envelope(client.post(f"{url}start_attempt/", headers=auth), 409, "INVALID_STATE")


def test_adding_questions_gives_option_ids_and_totals(client: TestClient, auth: Headers) -> None:
    quiz = make_quiz(client, auth)
    first = add(client, auth, quiz["id"], mc())
    assert first["question_type"] == "multiple_choice" and first["points"] == 5
    assert len({o["id"] for o in first["options"]}) == 3
    assert [o["is_correct"] for o in first["options"]] == [True, False, False]
    assert first["explanation"] == "The power rule."
    add(client, auth, quiz["id"], tf())
    add(client, auth, quiz["id"], short())
    essay = {"question_text": "Explain limits.", "question_type": "essay", "points": 10}
    add(client, auth, quiz["id"], essay)
    shown = ok(client.get(f"{QUIZZES}{quiz['id']}/", headers=auth))
    assert shown["question_count"] == 4 and shown["total_points"] == 18
    assert [q["question_type"] for q in shown["questions"]] == [
        "multiple_choice", "true_false", "short_answer", "essay"]  # fmt: skip


def test_quiz_detail_never_shows_the_answer_key(client: TestClient, auth: Headers) -> None:
    quiz = make_quiz(client, auth)
    added = add(client, auth, quiz["id"], mc())
    add(client, auth, quiz["id"], short())
    shown = ok(client.get(f"{QUIZZES}{quiz['id']}/", headers=auth))
    choice, written = shown["questions"]
    assert choice["options"] == [{"id": o["id"], "text": o["text"]} for o in added["options"]]
    assert "explanation" not in choice
    assert written["options"] == []  # a short answer's options are its accepted answers
    start(client, auth, quiz["id"])
    during = client.get(f"{QUIZZES}{quiz['id']}/", headers=auth).text
    assert "is_correct" not in during and "chain rule" not in during
    assert "power rule" not in during.lower()


def test_malformed_questions_are_422(client: TestClient, auth: Headers) -> None:
    quiz = make_quiz(client, auth)
    url = f"{QUIZZES}{quiz['id']}/questions/"
    two_right = {**mc(), "options": [{"text": "a", "is_correct": True},
                                     {"text": "b", "is_correct": True}]}  # fmt: skip
    for body in (
        {**mc(), "question_type": "riddle"},
        two_right,
        {**tf(), "options": [{"text": "Yes", "is_correct": True}, {"text": "No"}]},
        {**short(), "options": []},
        {"question_text": "Essay", "question_type": "essay", "options": [{"text": "x"}]},
        {**mc(), "points": 0},
    ):
        response = client.post(url, json=body, headers=auth)
        assert_envelope(response, 422, "VALIDATION_ERROR")
    assert_envelope(client.post(url, json={**mc(), "points": "many"}, headers=auth), 400,
                    "VALIDATION_ERROR")  # fmt: skip
    assert ok(client.get(f"{QUIZZES}{quiz['id']}/", headers=auth))["question_count"] == 0


def test_fixing_a_question(client: TestClient, auth: Headers) -> None:
    quiz = make_quiz(client, auth)
    q = add(client, auth, quiz["id"], mc())
    right, wrong = q["options"][0]["id"], q["options"][1]["id"]
    url = f"{QUIZZES}{quiz['id']}/questions/{q['id']}/"
    fix = {
        "points": 3,
        "question_text": "d/dx x^2 = ?",
        "options": [
            {"id": right, "is_correct": False},
            {"id": wrong, "is_correct": True, "text": "x!"},
        ],
    }
    fixed = ok(client.patch(url, json=fix, headers=auth))  # fmt: skip
    assert fixed["points"] == 3 and fixed["question_text"] == "d/dx x^2 = ?"
    assert [(o["text"], o["is_correct"]) for o in fixed["options"]] == [
        ("2x", False), ("x!", True), ("x^2", False)]  # fmt: skip
    assert ok(client.get(f"{QUIZZES}{quiz['id']}/", headers=auth))["total_points"] == 3
    unknown = {"options": [{"id": str(uuid.uuid4()), "is_correct": True}]}
    assert_envelope(client.patch(url, json=unknown, headers=auth), 422, "VALIDATION_ERROR")
    none_right = {"options": [{"id": wrong, "is_correct": False}]}
    assert_envelope(client.patch(url, json=none_right, headers=auth), 422, "VALIDATION_ERROR")
    missing = f"{QUIZZES}{quiz['id']}/questions/{uuid.uuid4()}/"
    assert_envelope(client.patch(missing, json={"points": 2}, headers=auth), 404,
                    "RESOURCE_NOT_FOUND")  # fmt: skip


def test_create_needs_your_own_course_and_valid_settings(
    client: TestClient, auth: Headers, make_user: Callable[[], Headers], system: System
) -> None:
    foreign = make_course(client, make_user())
    head = system.store.head()
    body = {"course": foreign, "title": "T"}
    assert_envelope(client.post(QUIZZES, json=body, headers=auth), 404, "RESOURCE_NOT_FOUND")
    own = make_course(client, auth)
    head = system.store.head()
    for bad in ({"passing_score": 101}, {"quiz_type": "pop"}, {"max_attempts": 0},
                {"time_limit_minutes": 0}, {"title": ""}, {"colour": "red"}):  # fmt: skip
        response = client.post(QUIZZES, json={"course": own, "title": "T", **bad}, headers=auth)
        assert_envelope(response, 422, "VALIDATION_ERROR")
    assert_envelope(client.post(QUIZZES, json={"course": own, "title": "T"}), 401,
                    "AUTHENTICATION_FAILED")  # fmt: skip
    assert system.store.head() == head


def test_another_users_quiz_is_not_found_on_every_verb(
    client: TestClient, auth: Headers, make_user: Callable[[], Headers]
) -> None:
    quiz = make_quiz(client, auth)
    q = add(client, auth, quiz["id"], mc())
    attempt = start(client, auth, quiz["id"])
    other = make_user()
    url = f"{QUIZZES}{quiz['id']}/"
    for response in (
        client.get(url, headers=other),
        client.patch(url, json={"title": "x"}, headers=other),
        client.delete(url, headers=other),
        client.post(f"{url}questions/", json=mc(), headers=other),
        client.patch(f"{url}questions/{q['id']}/", json={"points": 1}, headers=other),
        client.post(f"{url}start_attempt/", headers=other),
        client.get(f"{url}attempts/", headers=other),
        client.post(f"{url}regrade/", headers=other),
        client.get(f"/api/v1/assessments/quiz-attempts/{attempt['attempt_id']}/", headers=other),
        client.post(f"/api/v1/assessments/quiz-attempts/{attempt['attempt_id']}/complete/",
                    headers=other),
        client.get(f"{QUIZZES}not-a-uuid/", headers=auth),
    ):  # fmt: skip
        assert_envelope(response, 404, "RESOURCE_NOT_FOUND")
    assert ok(client.get(QUIZZES, headers=other))["count"] == 0
    assert ok(client.get(url, headers=auth))["title"] == "Derivatives"
