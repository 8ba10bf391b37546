"""Grading of a quiz attempt: a pure function of the questions and the responses.

Questions and responses are the JSON-shaped dicts the attempt keeps in its events:
a question has `id`, `question_text`, `question_type`, `points`, `explanation` and
`options` (`id`, `text`, `is_correct`); a response has `selected_options` (option
ids) and `text_answer`. Choice questions are all-or-nothing; short answers match
an accepted answer ignoring case and spacing; essays wait for a human.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

SINGLE_CHOICE_TYPES = ("multiple_choice", "true_false")
CHOICE_TYPES = (*SINGLE_CHOICE_TYPES, "multiple_answer")
QUESTION_TYPES = (*CHOICE_TYPES, "short_answer", "essay")

Question = Mapping[str, Any]
Response = Mapping[str, Any]


def normalise(text: str) -> str:
    """Case, surrounding space and inner runs of space do not matter."""
    return " ".join(text.split()).casefold()


def _correct(question: Question) -> list[Mapping[str, Any]]:
    return [o for o in question.get("options", []) if o.get("is_correct")]


def _answered(question: Question, response: Response | None) -> bool:
    if response is None:
        return False
    if question["question_type"] in CHOICE_TYPES:
        return bool(response.get("selected_options"))
    return bool((response.get("text_answer") or "").strip())


def _is_correct(question: Question, response: Response) -> bool | None:
    kind = question["question_type"]
    if kind == "essay":
        return None
    if kind == "short_answer":
        given = normalise(response.get("text_answer") or "")
        return any(normalise(o["text"]) == given for o in _correct(question))
    chosen = {str(option_id) for option_id in response.get("selected_options", [])}
    return chosen == {str(o["id"]) for o in _correct(question)}


def _answer_texts(question: Question, response: Response | None) -> str | None:
    if response is None:
        return None
    if question["question_type"] in CHOICE_TYPES:
        chosen = {str(option_id) for option_id in response.get("selected_options", [])}
        texts = [o["text"] for o in question.get("options", []) if str(o["id"]) in chosen]
        return ", ".join(texts) or None
    text = response.get("text_answer")
    return str(text) if text is not None else None


def grade_question(question: Question, response: Response | None) -> dict[str, Any]:
    """One line of `detailed_results`; an unanswered question is wrong."""
    answered = _answered(question, response)
    is_correct = _is_correct(question, response) if answered and response is not None else False
    possible = int(question.get("points", 0))
    correct = _correct(question)
    essay = question["question_type"] == "essay"
    return {
        "question_id": str(question["id"]),
        "question": question["question_text"],
        "question_type": question["question_type"],
        "user_answer": _answer_texts(question, response),
        "selected_options": [str(i) for i in (response or {}).get("selected_options", [])],
        "correct_answer": None if essay else ", ".join(o["text"] for o in correct),
        "correct_options": [] if essay else [str(o["id"]) for o in correct],
        "is_correct": is_correct,
        "needs_review": is_correct is None,
        "points_earned": possible if is_correct else 0,
        "points_possible": possible,
        "explanation": question.get("explanation"),
    }


def grade(
    questions: Sequence[Question], responses: Mapping[str, Response], passing_score: float
) -> dict[str, Any]:
    """The result of an attempt: points, percentage, pass/fail and one line per question."""
    details = [grade_question(q, responses.get(str(q["id"]))) for q in questions]
    earned = sum(d["points_earned"] for d in details)
    possible = sum(d["points_possible"] for d in details)
    percentage = round(earned / possible * 100, 2) if possible else 0.0
    return {
        "score": earned,
        "possible_points": possible,
        "percentage_score": percentage,
        "passed": percentage >= passing_score,
        "correct_answers": sum(1 for d in details if d["is_correct"] is True),
        "total_questions": len(details),
        "needs_review": any(d["needs_review"] for d in details),
        "detailed_results": details,
    }


def minutes_between(start: datetime, end: datetime) -> float:
    return round(max((end - start).total_seconds(), 0.0) / 60, 2)
