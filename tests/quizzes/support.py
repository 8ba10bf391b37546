"""Helpers for the quiz suites: courses, quizzes and questions made over HTTP."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

Headers = dict[str, str]
QUIZZES = "/api/v1/assessments/quizzes/"
ATTEMPTS = "/api/v1/assessments/quiz-attempts/"


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def make_course(client: TestClient, auth: Headers) -> str:
    course = ok(client.post("/api/v1/courses/", json={"name": "Calculus"}, headers=auth), 201)
    return str(course["id"])


def make_quiz(client: TestClient, auth: Headers, **settings: Any) -> dict[str, Any]:
    body = {"course": make_course(client, auth), "title": "Derivatives", **settings}
    quiz: dict[str, Any] = ok(client.post(QUIZZES, json=body, headers=auth), 201)
    return quiz


def add(client: TestClient, auth: Headers, quiz_id: str, body: dict[str, Any]) -> dict[str, Any]:
    question: dict[str, Any] = ok(
        client.post(f"{QUIZZES}{quiz_id}/questions/", json=body, headers=auth), 201
    )
    return question


def mc(points: int = 5) -> dict[str, Any]:
    return {
        "question_text": "What is the derivative of x^2?",
        "question_type": "multiple_choice",
        "points": points,
        "options": [
            {"text": "2x", "is_correct": True},
            {"text": "x", "is_correct": False},
            {"text": "x^2", "is_correct": False},
        ],
        "explanation": "The power rule.",
    }


def tf() -> dict[str, Any]:
    return {
        "question_text": "The derivative of a constant is zero.",
        "question_type": "true_false",
        "points": 1,
        "options": [{"text": "True", "is_correct": True}, {"text": "False"}],
    }


def short() -> dict[str, Any]:
    return {
        "question_text": "Name the rule for d/dx f(g(x)).",
        "question_type": "short_answer",
        "points": 2,
        "options": [{"text": "chain rule", "is_correct": True}],
    }


def start(client: TestClient, auth: Headers, quiz_id: str) -> dict[str, Any]:
    attempt: dict[str, Any] = ok(
        client.post(f"{QUIZZES}{quiz_id}/start_attempt/", headers=auth), 201
    )
    return attempt


def answer(client: TestClient, auth: Headers, attempt_id: str, **body: Any) -> Any:
    return client.post(f"{ATTEMPTS}{attempt_id}/submit_response/", json=body, headers=auth)


def complete(client: TestClient, auth: Headers, attempt_id: str) -> Any:
    return client.post(f"{ATTEMPTS}{attempt_id}/complete/", headers=auth)


def correct_option(question: dict[str, Any]) -> str:
    return str(next(o["id"] for o in question["options"] if o["is_correct"]))


def wrong_option(question: dict[str, Any]) -> str:
    return str(next(o["id"] for o in question["options"] if not o["is_correct"]))
