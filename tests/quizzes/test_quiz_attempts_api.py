"""Attempts over HTTP: starting, answering, time limits, grading and regrading."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

from aksio.core.clock import FixedClock
from tests.conftest import assert_envelope
from tests.quizzes.support import (
    ATTEMPTS,
    QUIZZES,
    Headers,
    add,
    answer,
    complete,
    correct_option,
    make_quiz,
    mc,
    ok,
    short,
    start,
    tf,
    wrong_option,
)


def quiz_of_three(client: TestClient, auth: Headers, **settings: Any) -> tuple[str, list[Any]]:
    quiz = make_quiz(client, auth, passing_score=60, **settings)
    questions = [add(client, auth, quiz["id"], body) for body in (mc(), tf(), short())]
    return str(quiz["id"]), questions


def test_start_attempt_answers_the_described_body(
    client: TestClient, auth: Headers, clock: FixedClock
) -> None:
    quiz_id, questions = quiz_of_three(client, auth, time_limit_minutes=60)
    attempt = start(client, auth, quiz_id)
    assert set(attempt) >= {"attempt_id", "quiz_id", "started_at", "time_limit_minutes",
                            "questions_order", "status"}  # fmt: skip
    assert attempt["quiz_id"] == quiz_id and attempt["status"] == "in_progress"
    assert attempt["questions_order"] == [q["id"] for q in questions]
    assert attempt["time_limit_minutes"] == 60
    assert attempt["started_at"].replace("Z", "+00:00") == clock.now().isoformat()


def test_randomized_order_is_a_shuffle_kept_by_the_attempt(
    client: TestClient, auth: Headers
) -> None:
    quiz = make_quiz(client, auth, randomize_questions=True)
    ids = [add(client, auth, quiz["id"], mc())["id"] for _ in range(8)]
    orders = [start(client, auth, quiz["id"])["questions_order"] for _ in range(4)]
    assert all(sorted(order) == sorted(ids) for order in orders)
    assert any(order != ids for order in orders)  # 4 identity shuffles of 8: 1 in 40320^4
    first = orders[0]
    attempts = ok(client.get(f"{QUIZZES}{quiz['id']}/attempts/", headers=auth))["results"]
    assert attempts[0]["questions_order"] == first


def test_full_attempt_is_graded(client: TestClient, auth: Headers, clock: FixedClock) -> None:
    quiz_id, (choice, truth, written) = quiz_of_three(client, auth)
    attempt_id = start(client, auth, quiz_id)["attempt_id"]
    first = ok(answer(client, auth, attempt_id, question=choice["id"],
                      selected_options=[wrong_option(choice)], time_spent_seconds=30))  # fmt: skip
    assert first["selected_options"] == [wrong_option(choice)] and first["answered_questions"] == 1
    ok(answer(client, auth, attempt_id, question=choice["id"],
              selected_options=[correct_option(choice)]))  # fmt: skip
    ok(answer(client, auth, attempt_id, question=written["id"], text_answer="  Chain   RULE "))
    clock.advance(minutes=45)
    result = ok(complete(client, auth, attempt_id))
    assert (result["score"], result["percentage_score"], result["passed"]) == (7, 87.5, True)
    assert (result["correct_answers"], result["total_questions"]) == (2, 3)
    assert result["time_taken_minutes"] == 45.0
    assert result["completed_at"].replace("Z", "+00:00") == clock.now().isoformat()
    lines = {line["question_id"]: line for line in result["detailed_results"]}
    assert lines[truth["id"]]["is_correct"] is False and lines[truth["id"]]["user_answer"] is None
    assert lines[choice["id"]]["user_answer"] == "2x"
    assert lines[choice["id"]]["correct_answer"] == "2x"
    assert lines[written["id"]]["points_earned"] == 2
    clock.advance(minutes=10)
    assert ok(complete(client, auth, attempt_id)) == result
    shown = ok(client.get(f"{ATTEMPTS}{attempt_id}/", headers=auth))
    assert shown["status"] == "completed" and shown["score"] == 7
    assert shown["detailed_results"] == result["detailed_results"]
    assert len(shown["responses"]) == 2


def test_essay_needs_review(client: TestClient, auth: Headers) -> None:
    quiz = make_quiz(client, auth, passing_score=0)
    essay = add(client, auth, quiz["id"], {"question_text": "Why?", "question_type": "essay",
                                           "points": 4})  # fmt: skip
    attempt_id = start(client, auth, quiz["id"])["attempt_id"]
    ok(answer(client, auth, attempt_id, question=essay["id"], text_answer="Because."))
    result = ok(complete(client, auth, attempt_id))
    (line,) = result["detailed_results"]
    assert line["is_correct"] is None and line["needs_review"] is True
    assert (result["score"], result["needs_review"], result["correct_answers"]) == (0, True, 0)


def test_answers_after_the_time_limit_are_refused(
    client: TestClient, auth: Headers, clock: FixedClock
) -> None:
    quiz_id, (choice, *_) = quiz_of_three(client, auth, time_limit_minutes=10)
    attempt_id = start(client, auth, quiz_id)["attempt_id"]
    clock.advance(minutes=10)
    ok(answer(client, auth, attempt_id, question=choice["id"],
              selected_options=[correct_option(choice)]))  # fmt: skip
    clock.advance(seconds=1)
    late = answer(client, auth, attempt_id, question=choice["id"],
                  selected_options=[wrong_option(choice)])  # fmt: skip
    assert_envelope(late, 409, "TIME_LIMIT_EXCEEDED")
    result = ok(complete(client, auth, attempt_id))
    assert result["score"] == 5  # the answer given in time counts


def test_answering_a_completed_attempt_is_409(client: TestClient, auth: Headers) -> None:
    quiz_id, (choice, *_) = quiz_of_three(client, auth)
    attempt_id = start(client, auth, quiz_id)["attempt_id"]
    ok(complete(client, auth, attempt_id))
    late = answer(client, auth, attempt_id, question=choice["id"],
                  selected_options=[correct_option(choice)])  # fmt: skip
    assert_envelope(late, 409, "INVALID_STATE")


def test_answers_must_fit_the_attempt(client: TestClient, auth: Headers) -> None:
    quiz_id, (choice, truth, _) = quiz_of_three(client, auth)
    attempt_id = start(client, auth, quiz_id)["attempt_id"]
    later = add(client, auth, quiz_id, mc())
    outside = answer(client, auth, attempt_id, question=later["id"],
                     selected_options=[correct_option(later)])  # fmt: skip
    assert "question" in assert_envelope(outside, 422, "VALIDATION_ERROR")["details"]
    foreign = answer(client, auth, attempt_id, question=choice["id"],
                     selected_options=[correct_option(truth)])  # fmt: skip
    assert "selected_options" in assert_envelope(foreign, 422, "VALIDATION_ERROR")["details"]
    made_up = answer(client, auth, attempt_id, question=str(uuid.uuid4()))
    assert_envelope(made_up, 422, "VALIDATION_ERROR")
    assert_envelope(answer(client, auth, attempt_id, question="q1"), 400, "VALIDATION_ERROR")
    missing = answer(client, auth, str(uuid.uuid4()), question=choice["id"])
    assert_envelope(missing, 404, "RESOURCE_NOT_FOUND")
    assert ok(client.get(f"{ATTEMPTS}{attempt_id}/", headers=auth))["responses"] == []


def test_max_attempts(client: TestClient, auth: Headers) -> None:
    quiz_id, _ = quiz_of_three(client, auth, max_attempts=3)
    for _ in range(3):
        start(client, auth, quiz_id)
    fourth = client.post(f"{QUIZZES}{quiz_id}/start_attempt/", headers=auth)
    assert_envelope(fourth, 409, "MAX_ATTEMPTS_EXCEEDED")
    listed = ok(client.get(f"{QUIZZES}{quiz_id}/attempts/", headers=auth))
    assert listed["count"] == 3
    assert [a["attempt_number"] for a in listed["results"]] == [1, 2, 3]


def test_a_quiz_without_questions_cannot_be_started(client: TestClient, auth: Headers) -> None:
    quiz = make_quiz(client, auth)
    response = client.post(f"{QUIZZES}{quiz['id']}/start_attempt/", headers=auth)
    assert_envelope(response, 409, "INVALID_STATE")


def test_correct_options_are_never_visible_during_an_attempt(
    client: TestClient, auth: Headers
) -> None:
    quiz_id, (choice, truth, _) = quiz_of_three(client, auth)
    first = start(client, auth, quiz_id)["attempt_id"]
    ok(answer(client, auth, first, question=choice["id"], selected_options=[wrong_option(choice)]))
    assert ok(complete(client, auth, first))["detailed_results"]  # shown: nothing running
    second = start(client, auth, quiz_id)
    response = answer(client, auth, second["attempt_id"], question=truth["id"],
                      selected_options=[wrong_option(truth)])  # fmt: skip
    reads = [
        str(second),
        response.text,
        client.get(f"{QUIZZES}{quiz_id}/", headers=auth).text,
        client.get(f"{ATTEMPTS}{second['attempt_id']}/", headers=auth).text,
        client.get(f"{ATTEMPTS}{first}/", headers=auth).text,
        client.get(f"{QUIZZES}{quiz_id}/attempts/", headers=auth).text,
    ]
    for text in reads:
        assert "is_correct" not in text and "correct_options" not in text
        assert "chain rule" not in text and "power rule" not in text.lower()
    assert ok(client.get(f"{ATTEMPTS}{first}/", headers=auth))["score"] == 0
    ok(complete(client, auth, second["attempt_id"]))
    assert ok(client.get(f"{ATTEMPTS}{first}/", headers=auth))["detailed_results"]


def test_results_withheld_when_not_shown_immediately(client: TestClient, auth: Headers) -> None:
    quiz_id, (choice, *_) = quiz_of_three(client, auth, show_results_immediately=False)
    attempt_id = start(client, auth, quiz_id)["attempt_id"]
    ok(answer(client, auth, attempt_id, question=choice["id"],
              selected_options=[correct_option(choice)]))  # fmt: skip
    result = ok(complete(client, auth, attempt_id))
    assert result["detailed_results"] == [] and result["score"] == 5
    shown = ok(client.get(f"{ATTEMPTS}{attempt_id}/", headers=auth))
    assert shown["detailed_results"] == [] and "is_correct" not in str(shown)
    assert all(entry["detailed_results"] == [] for entry in shown["results"])


def test_regrade_after_fixing_a_question_keeps_both_results(
    client: TestClient, auth: Headers, clock: FixedClock
) -> None:
    quiz_id, (choice, *_) = quiz_of_three(client, auth)
    attempt_id = start(client, auth, quiz_id)["attempt_id"]
    chosen = wrong_option(choice)
    ok(answer(client, auth, attempt_id, question=choice["id"], selected_options=[chosen]))
    assert ok(complete(client, auth, attempt_id))["score"] == 0
    unfinished = start(client, auth, quiz_id)["attempt_id"]
    fix = {"options": [{"id": correct_option(choice), "is_correct": False},
                       {"id": chosen, "is_correct": True}]}  # fmt: skip
    ok(client.patch(f"{QUIZZES}{quiz_id}/questions/{choice['id']}/", json=fix, headers=auth))
    clock.advance(days=1)
    regraded = ok(client.post(f"{QUIZZES}{quiz_id}/regrade/", headers=auth))
    assert regraded == {"quiz_id": quiz_id, "regraded_count": 1, "regraded_attempts": [attempt_id]}
    ok(complete(client, auth, unfinished))
    shown = ok(client.get(f"{ATTEMPTS}{attempt_id}/", headers=auth))
    assert shown["score"] == 5 and shown["percentage_score"] == 62.5 and shown["passed"] is True
    assert [(r["reason"], r["score"]) for r in shown["results"]] == [
        ("completed", 0), ("regraded", 5)]  # fmt: skip
    assert shown["results"][1]["graded_at"].replace("Z", "+00:00") == clock.now().isoformat()
    # The attempt that ran across the fix was graded with the old key: now it is regraded too.
    again = ok(client.post(f"{QUIZZES}{quiz_id}/regrade/", headers=auth))
    assert again["regraded_attempts"] == [unfinished]
    assert ok(client.post(f"{QUIZZES}{quiz_id}/regrade/", headers=auth))["regraded_count"] == 0
