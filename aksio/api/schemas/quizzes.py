"""Quiz, question and attempt schemas.

Quiz-takers read `QuestionOut` (options' `id` and `text` only; a short answer's
options are its accepted answers, so none are shown; a generated question's
`source` only while no attempt is in progress, as its excerpt holds the answer).
`QuestionAuthorOut`, with correctness and explanation, answers only the author's
own add and change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import MISSING, AliasChoices, BaseModel, Field

from aksio.aggregates.quizzes.questions import hide_answer_key
from aksio.api.schemas.common import Id, Strict

QuizType = Literal["practice", "exam", "assessment"]
QuestionType = Literal["multiple_choice", "multiple_answer", "true_false", "short_answer", "essay"]


class QuizSettings(Strict):
    description: str | None = Field(default=None, max_length=10_000)
    quiz_type: QuizType = "practice"
    time_limit_minutes: int | None = Field(
        default=None, ge=1, le=1440, description="None: no limit."
    )
    passing_score: int = Field(default=70, ge=0, le=100, description="Percentage needed to pass.")
    max_attempts: int | None = Field(default=None, ge=1, le=1000, description="None: unlimited.")
    randomize_questions: bool = False
    show_results_immediately: bool = True


class QuizCreate(QuizSettings):
    course: Id
    title: str = Field(min_length=1, max_length=200)


class QuizUpdate(Strict):
    """Fields left out stay; null clears the description, time limit or attempt limit."""

    title: str | MISSING = Field(default=MISSING, min_length=1, max_length=200)
    description: str | MISSING | None = Field(default=MISSING, max_length=10_000)
    quiz_type: QuizType | MISSING = MISSING
    time_limit_minutes: int | MISSING | None = Field(default=MISSING, ge=1, le=1440)
    passing_score: int | MISSING = Field(default=MISSING, ge=0, le=100)
    max_attempts: int | MISSING | None = Field(default=MISSING, ge=1, le=1000)
    randomize_questions: bool | MISSING = MISSING
    show_results_immediately: bool | MISSING = MISSING
    status: Literal["active", "archived"] | MISSING = MISSING


class OptionIn(Strict):
    text: str = Field(min_length=1, max_length=1000)
    is_correct: bool = False


class OptionPatch(Strict):
    id: Id
    text: str | MISSING = Field(default=MISSING, min_length=1, max_length=1000)
    is_correct: bool | MISSING = MISSING


class QuestionCreate(Strict):
    question_text: str = Field(min_length=1, max_length=10_000)
    question_type: QuestionType
    points: int = Field(default=1, ge=1, le=1000)
    options: list[OptionIn] = Field(default_factory=list, max_length=50)
    explanation: str | None = Field(default=None, max_length=10_000)
    order: int | None = Field(
        default=None, ge=0, le=1_000_000, description="Position; null or left out: last."
    )


class QuestionUpdate(Strict):
    """Fields left out stay; null clears the explanation."""

    question_text: str | MISSING = Field(default=MISSING, min_length=1, max_length=10_000)
    points: int | MISSING = Field(default=MISSING, ge=1, le=1000)
    explanation: str | MISSING | None = Field(default=MISSING, max_length=10_000)
    order: int | MISSING = Field(default=MISSING, ge=0, le=1_000_000)
    options: list[OptionPatch] | MISSING = Field(
        default=MISSING,
        max_length=50,
        description="Changes of existing options, by id; others stay.",
    )


class OptionOut(BaseModel):
    id: UUID
    text: str


class OptionKeyOut(OptionOut):
    is_correct: bool


class QuestionOut(BaseModel):
    id: UUID
    quiz_id: UUID
    question_text: str
    question_type: str
    points: int
    order: int
    options: list[OptionOut]
    source: dict[str, Any] | None = Field(
        default=None,
        description="Where a generated question came from: `document_id`, `document_name`, "
        "`page`, `section` and the `excerpt` it was drawn from. Null for questions added by "
        "hand, and withheld (null) while an attempt at the quiz is in progress.",
    )
    created_at: datetime
    updated_at: datetime

    @classmethod
    def public(cls, row: dict[str, Any], reveal: bool) -> QuestionOut:
        """The quiz-taker's view; `reveal` false hides the answer key (and so the source)."""
        shown_row = row if reveal else hide_answer_key(row)
        options = [] if row["question_type"] == "short_answer" else shown_row["options"]
        shown = [{"id": o["id"], "text": o["text"]} for o in options]
        return cls.model_validate({**shown_row, "options": shown})


class QuestionAuthorOut(QuestionOut):
    explanation: str | None
    options: list[OptionKeyOut]  # type: ignore[assignment]


class QuizOut(BaseModel):
    id: UUID
    course: UUID = Field(validation_alias=AliasChoices("course", "course_id"))
    title: str
    description: str | None
    quiz_type: str
    time_limit_minutes: int | None
    passing_score: int
    max_attempts: int | None
    randomize_questions: bool
    show_results_immediately: bool
    status: str
    question_count: int
    total_points: int
    attempt_count: int
    created_at: datetime
    updated_at: datetime


class QuizDetailOut(QuizOut):
    questions: list[QuestionOut]


class AttemptStartOut(BaseModel):
    attempt_id: UUID
    quiz_id: UUID
    attempt_number: int
    started_at: datetime
    expires_at: datetime | None
    time_limit_minutes: int | None
    questions_order: list[UUID]
    status: str


class ResponseIn(Strict):
    question: Id
    selected_options: list[Id] = Field(default_factory=list, max_length=50)
    text_answer: str | None = Field(default=None, max_length=20_000)
    time_spent_seconds: int | None = Field(default=None, ge=0, le=604_800)


class ResponseOut(BaseModel):
    question: UUID
    selected_options: list[UUID]
    text_answer: str | None
    time_spent_seconds: int | None
    submitted_at: datetime


class DetailedResult(BaseModel):
    question_id: UUID
    question: str
    question_type: str
    user_answer: str | None
    selected_options: list[UUID]
    correct_answer: str | None
    correct_options: list[UUID]
    is_correct: bool | None
    needs_review: bool
    points_earned: int
    points_possible: int
    explanation: str | None


class Grading(BaseModel):
    score: int
    possible_points: int
    percentage_score: float
    passed: bool
    correct_answers: int
    total_questions: int
    needs_review: bool
    time_taken_minutes: float
    detailed_results: list[DetailedResult] = Field(
        description="Withheld (empty) unless the quiz shows results immediately and no "
        "attempt of it is in progress."
    )


class GradingEntry(Grading):
    graded_at: datetime
    reason: Literal["completed", "regraded"]


class ResultOut(Grading):
    attempt_id: UUID
    quiz_id: UUID
    status: str
    completed_at: datetime


class AttemptOut(BaseModel):
    id: UUID
    attempt_id: UUID
    quiz_id: UUID
    attempt_number: int
    status: str
    started_at: datetime
    expires_at: datetime | None
    time_limit_minutes: int | None
    questions_order: list[UUID]
    responses: list[ResponseOut]
    completed_at: datetime | None
    # The latest grading, flat as `complete/` answers it; null until completed.
    score: int | None = None
    possible_points: int | None = None
    percentage_score: float | None = None
    passed: bool | None = None
    correct_answers: int | None = None
    total_questions: int | None = None
    needs_review: bool | None = None
    time_taken_minutes: float | None = None
    detailed_results: list[DetailedResult] = Field(default_factory=list)
    results: list[GradingEntry] = Field(
        description="Every grading, oldest first: completion, then each regrade that changed it."
    )
    created_at: datetime
    updated_at: datetime


class RegradeOut(BaseModel):
    quiz_id: UUID
    regraded_count: int
    regraded_attempts: list[UUID]


def _shown(entry: dict[str, Any], reveal: bool) -> dict[str, Any]:
    return entry if reveal else {**entry, "detailed_results": []}


def attempt_out(row: dict[str, Any], reveal: bool) -> AttemptOut:
    order = row["questions_order"]
    responses = [row["responses"][qid] for qid in order if qid in row["responses"]]
    latest = _shown(row["result"], reveal) if row["result"] else {}
    return AttemptOut.model_validate(
        {
            **row,
            **{k: v for k, v in latest.items() if k not in ("graded_at", "reason")},
            "attempt_id": row["id"],
            "responses": responses,
            "results": [_shown(entry, reveal) for entry in row["results"]],
        }
    )


def result_out(row: dict[str, Any], reveal: bool) -> ResultOut:
    return ResultOut.model_validate(
        {**_shown(row["result"], reveal), **{k: row[k] for k in ("quiz_id", "status")}}
        | {"attempt_id": row["id"], "completed_at": row["completed_at"]}
    )


class SubmittedOut(ResponseOut):
    attempt_id: UUID
    answered_questions: int
    total_questions: int
