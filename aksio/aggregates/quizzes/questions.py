"""Rules for a quiz question's options, and hiding the answer key from quiz-takers.

Options are dicts `{"id": str, "text": str, "is_correct": bool}`. What makes a
question well-formed depends on its type; `check_question` says what is wrong
with the field that is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aksio.aggregates.quizzes.grading import QUESTION_TYPES, normalise
from aksio.core.errors import ValidationFailed

Option = Mapping[str, Any]
# Keys of stored quiz data that tell which answers are right (a source's excerpt holds
# the answer it was drawn from).
ANSWER_KEYS = frozenset(
    {"is_correct", "correct_answer", "correct_options", "explanation", "points_earned", "source"}
)


def _fail(problem: str) -> ValidationFailed:
    return ValidationFailed.field("options", problem)


def check_question(question_type: str, options: Sequence[Option]) -> None:
    """Raises ValidationFailed when the options do not fit the question type."""
    if question_type not in QUESTION_TYPES:
        raise ValidationFailed.field("question_type", f"Unknown question type {question_type!r}.")
    correct = sum(1 for o in options if o.get("is_correct"))
    if question_type == "essay":
        if options:
            raise _fail("Essay questions take no options.")
        return
    if question_type == "short_answer":
        if correct < 1:
            raise _fail("Give at least one correct option: the accepted answers.")
        return
    if len(options) < 2:
        raise _fail("Give at least two options.")
    if question_type == "multiple_answer" and correct < 1:
        raise _fail("Mark at least one option correct.")
    if question_type in ("multiple_choice", "true_false") and correct != 1:
        raise _fail("Mark exactly one option correct.")
    if question_type == "true_false":
        texts = sorted(normalise(str(o.get("text", ""))) for o in options)
        if texts != ["false", "true"]:
            raise _fail("A true/false question has the two options True and False.")


def merge_options(
    current: Sequence[Option], patches: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The options after changing text or correctness of some of them, by id."""
    merged = {str(o["id"]): dict(o) for o in current}
    for patch in patches:
        option_id = str(patch["id"])
        if option_id not in merged:
            raise _fail(f"Option {option_id} is not an option of this question.")
        merged[option_id].update({k: v for k, v in patch.items() if k != "id"})
    return list(merged.values())


def hide_answer_key(data: Any) -> Any:
    """The same data without anything that tells which answers are right."""
    if isinstance(data, list):
        return [hide_answer_key(item) for item in data]
    if not isinstance(data, dict):
        return data
    hidden = {k: hide_answer_key(v) for k, v in data.items() if k not in ANSWER_KEYS}
    if data.get("question_type") == "short_answer" and "options" in hidden:
        hidden["options"] = []  # a short answer's options are its accepted answers
    return hidden
