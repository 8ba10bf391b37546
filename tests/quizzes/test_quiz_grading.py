"""Grading by parameter tables: every question type, normalisation, essays, totals."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from aksio.aggregates.quizzes.grading import grade, grade_question, minutes_between, normalise


def options(*spec: tuple[str, str, bool]) -> list[dict[str, Any]]:
    return [{"id": i, "text": t, "is_correct": c} for i, t, c in spec]


MC = {
    "id": "mc",
    "question_text": "d/dx x^2?",
    "question_type": "multiple_choice",
    "points": 5,
    "explanation": "Power rule.",
    "options": options(("a", "2x", True), ("b", "x", False), ("c", "x^2", False)),
}
MA = {
    "id": "ma",
    "question_text": "Primes?",
    "question_type": "multiple_answer",
    "points": 4,
    "explanation": None,
    "options": options(("p2", "2", True), ("p3", "3", True), ("p4", "4", False)),
}
TF = {
    "id": "tf",
    "question_text": "The sky is green.",
    "question_type": "true_false",
    "points": 1,
    "explanation": None,
    "options": options(("t", "True", False), ("f", "False", True)),
}
SA = {
    "id": "sa",
    "question_text": "Capital of France?",
    "question_type": "short_answer",
    "points": 2,
    "explanation": None,
    "options": options(("s1", "Paris", True), ("s2", "Ville  Lumiere", True)),
}
ESSAY = {
    "id": "es",
    "question_text": "Discuss.",
    "question_type": "essay",
    "points": 10,
    "explanation": None,
    "options": [],
}


def chose(*ids: str) -> dict[str, Any]:
    return {"selected_options": list(ids), "text_answer": None}


def wrote(text: str) -> dict[str, Any]:
    return {"selected_options": [], "text_answer": text}


@pytest.mark.parametrize(
    ("question", "response", "is_correct", "earned"),
    [
        (MC, chose("a"), True, 5),
        (MC, chose("b"), False, 0),
        (MC, chose("a", "b"), False, 0),
        (MC, None, False, 0),
        (MC, chose(), False, 0),
        (MA, chose("p2", "p3"), True, 4),
        (MA, chose("p3", "p2"), True, 4),
        (MA, chose("p2"), False, 0),
        (MA, chose("p2", "p3", "p4"), False, 0),
        (TF, chose("f"), True, 1),
        (TF, chose("t"), False, 0),
        (SA, wrote("Paris"), True, 2),
        (SA, wrote("  pARIS "), True, 2),
        (SA, wrote("ville lumiere"), True, 2),
        (SA, wrote("Ville \t  Lumiere"), True, 2),
        (SA, wrote("VilleLumiere"), False, 0),
        (SA, wrote("London"), False, 0),
        (SA, wrote("   "), False, 0),
        (SA, None, False, 0),
    ],
)
def test_auto_graded_questions(
    question: dict[str, Any], response: dict[str, Any] | None, is_correct: bool, earned: int
) -> None:
    line = grade_question(question, response)
    assert line["is_correct"] is is_correct
    assert line["points_earned"] == earned
    assert line["points_possible"] == question["points"]
    assert line["needs_review"] is False


@pytest.mark.parametrize(
    ("response", "is_correct", "needs_review"),
    [(wrote("A thoughtful essay."), None, True), (wrote(""), False, False), (None, False, False)],
)
def test_essays_wait_for_a_human_and_earn_nothing_yet(
    response: dict[str, Any] | None, is_correct: bool | None, needs_review: bool
) -> None:
    line = grade_question(ESSAY, response)
    assert line["is_correct"] is is_correct
    assert line["needs_review"] is needs_review
    assert line["points_earned"] == 0
    assert line["correct_answer"] is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Paris", "paris"), ("  a   b  ", "a b"), ("A\tB\nC", "a b c"), ("", ""), ("ß", "ss")],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_detailed_line_names_answers_by_text() -> None:
    line = grade_question(MA, chose("p3", "p4"))
    assert line["user_answer"] == "3, 4"
    assert line["correct_answer"] == "2, 3"
    assert line["correct_options"] == ["p2", "p3"]
    assert line["explanation"] is None
    assert grade_question(MC, None)["user_answer"] is None


@pytest.mark.parametrize(
    ("responses", "passing", "score", "percentage", "passed", "correct"),
    [
        ({}, 70, 0, 0.0, False, 0),
        ({"mc": chose("a"), "tf": chose("f")}, 70, 6, 27.27, False, 2),
        ({"mc": chose("a"), "ma": chose("p2", "p3"), "tf": chose("f"), "sa": wrote("paris")},
         50, 12, 54.55, True, 4),
        ({"mc": chose("a"), "ma": chose("p2", "p3"), "tf": chose("f"), "sa": wrote("paris")},
         54.55, 12, 54.55, True, 4),
        ({"mc": chose("a"), "ma": chose("p2", "p3"), "tf": chose("f"), "sa": wrote("paris")},
         55, 12, 54.55, False, 4),
        ({"es": wrote("essay")}, 0, 0, 0.0, True, 0),
    ],
)  # fmt: skip
def test_totals(
    responses: dict[str, Any],
    passing: float,
    score: int,
    percentage: float,
    passed: bool,
    correct: int,
) -> None:
    result = grade([MC, MA, TF, SA, ESSAY], responses, passing)
    assert result["score"] == score
    assert result["possible_points"] == 22
    assert result["percentage_score"] == percentage
    assert result["passed"] is passed
    assert result["correct_answers"] == correct
    assert result["total_questions"] == 5
    assert [d["question_id"] for d in result["detailed_results"]] == ["mc", "ma", "tf", "sa", "es"]
    assert result["needs_review"] is ("es" in responses)


def test_minutes_between() -> None:
    start = datetime(2024, 1, 20, 10, 0, tzinfo=UTC)
    assert minutes_between(start, datetime(2024, 1, 20, 10, 45, 30, tzinfo=UTC)) == 45.5
    assert minutes_between(start, start) == 0.0
