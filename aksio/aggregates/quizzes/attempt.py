"""One attempt at a quiz: the questions it was started with, the answers, the results.

Lifecycle: `Created` (topic `started`) keeps the question order, the deadline and a
snapshot of the questions needed to grade them, so later edits of the quiz do not
change a running attempt. `ResponseSubmitted` records or replaces the answer to one
question until the deadline or completion. `Completed` stores the graded result;
completing again changes nothing. `Regraded` stores a new result computed from the
recorded answers and corrected questions; earlier results stay in `results`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from aksio.aggregates.quizzes.grading import SINGLE_CHOICE_TYPES, grade, minutes_between
from aksio.core.errors import InvalidState, TimeLimitExceeded, ValidationFailed


class QuizAttempt(Aggregate):
    TOPIC = "aksio.quiz_attempt"

    class Created(Aggregate.Created):
        TOPIC = "aksio.quiz_attempt.started"
        owner_id: UUID
        quiz_id: UUID
        attempt_number: int
        started_at: datetime
        deadline: datetime | None
        time_limit_minutes: int | None
        questions_order: list[str]
        questions: list[dict[str, Any]]
        passing_score: float
        show_results: bool

    class ResponseSubmitted(Aggregate.Event):
        TOPIC = "aksio.quiz_attempt.response_submitted"
        question_id: UUID
        selected_options: list[str]
        text_answer: str | None
        time_spent_seconds: int | None
        submitted_at: datetime

    class Completed(Aggregate.Event):
        TOPIC = "aksio.quiz_attempt.completed"
        completed_at: datetime
        result: dict[str, Any]

    class Regraded(Aggregate.Event):
        TOPIC = "aksio.quiz_attempt.regraded"
        regraded_at: datetime
        questions: list[dict[str, Any]]
        result: dict[str, Any]

    @event(Created)
    def __init__(
        self,
        owner_id: UUID,
        quiz_id: UUID,
        attempt_number: int,
        started_at: datetime,
        deadline: datetime | None,
        time_limit_minutes: int | None,
        questions_order: list[str],
        questions: list[dict[str, Any]],
        passing_score: float,
        show_results: bool,
    ) -> None:
        self.owner_id = owner_id
        self.quiz_id = quiz_id
        self.attempt_number = attempt_number
        self.started_at = started_at
        self.deadline = deadline
        self.questions_order = list(questions_order)
        self.questions = {str(q["id"]): dict(q) for q in questions}
        self.passing_score = passing_score
        self.show_results = show_results
        self.status = "in_progress"
        self.responses: dict[str, dict[str, Any]] = {}
        self.completed_at: datetime | None = None
        self.result: dict[str, Any] | None = None
        self.results: list[dict[str, Any]] = []

    @classmethod
    def start(
        cls,
        *,
        owner_id: UUID,
        quiz_id: UUID,
        attempt_number: int,
        started_at: datetime,
        settings: dict[str, Any],
        questions: list[dict[str, Any]],
        order: list[str],
    ) -> QuizAttempt:
        """`order` is the question order decided by the caller (shuffled or not)."""
        limit = settings.get("time_limit_minutes")
        return cls(
            owner_id=owner_id,
            quiz_id=quiz_id,
            attempt_number=attempt_number,
            started_at=started_at,
            deadline=started_at + timedelta(minutes=limit) if limit else None,
            time_limit_minutes=limit,
            questions_order=order,
            questions=questions,
            passing_score=settings.get("passing_score", 0),
            show_results=bool(settings.get("show_results_immediately", True)),
        )

    def submit_response(
        self,
        question_id: UUID,
        selected_options: list[UUID],
        text_answer: str | None,
        time_spent_seconds: int | None,
        at: datetime,
    ) -> None:
        if self.status != "in_progress":
            raise InvalidState("This attempt is already completed.")
        if self.deadline is not None and at > self.deadline:
            raise TimeLimitExceeded("The time limit of this attempt has passed.")
        chosen = list(dict.fromkeys(str(o) for o in selected_options))
        self._check_answer(str(question_id), chosen)
        self._response_submitted(
            question_id=question_id,
            selected_options=chosen,
            text_answer=text_answer,
            time_spent_seconds=time_spent_seconds,
            submitted_at=at,
        )

    def _check_answer(self, question_id: str, chosen: list[str]) -> None:
        question = self.questions.get(question_id)
        if question is None or question_id not in self.questions_order:
            raise ValidationFailed.field("question", "This question is not part of the attempt.")
        option_ids = {str(o["id"]) for o in question.get("options", [])}
        if not set(chosen) <= option_ids:
            raise ValidationFailed.field(
                "selected_options", "Every selected option must be an option of the question."
            )
        if question["question_type"] in SINGLE_CHOICE_TYPES and len(chosen) > 1:
            raise ValidationFailed.field("selected_options", "Choose one option.")

    def complete(self, at: datetime) -> None:
        """Grades the attempt; completing a completed attempt keeps its result."""
        if self.status == "completed":
            return
        result = self._grade(list(self.questions.values()))
        result["time_taken_minutes"] = minutes_between(self.started_at, at)
        self._completed(completed_at=at, result=result)

    def regrade(self, questions: list[dict[str, Any]], at: datetime) -> bool:
        """Grades the recorded answers against corrected questions; True if the result changed."""
        if self.status != "completed" or self.result is None:
            return False
        result = self._grade(questions)
        result["time_taken_minutes"] = self.result["time_taken_minutes"]
        if result == self.result:
            return False
        self._regraded(regraded_at=at, questions=questions, result=result)
        return True

    def _grade(self, questions: list[dict[str, Any]]) -> dict[str, Any]:
        by_id = {str(q["id"]): q for q in questions}
        ordered = [by_id[qid] for qid in self.questions_order if qid in by_id]
        return grade(ordered, self.responses, self.passing_score)

    @event(ResponseSubmitted)
    def _response_submitted(
        self,
        question_id: UUID,
        selected_options: list[str],
        text_answer: str | None,
        time_spent_seconds: int | None,
        submitted_at: datetime,
    ) -> None:
        self.responses[str(question_id)] = {
            "selected_options": selected_options,
            "text_answer": text_answer,
            "time_spent_seconds": time_spent_seconds,
            "submitted_at": submitted_at,
        }

    @event(Completed)
    def _completed(self, completed_at: datetime, result: dict[str, Any]) -> None:
        self.status = "completed"
        self.completed_at = completed_at
        self.result = result
        self.results.append({"graded_at": completed_at, "reason": "completed", **result})

    @event(Regraded)
    def _regraded(
        self, regraded_at: datetime, questions: list[dict[str, Any]], result: dict[str, Any]
    ) -> None:
        self.questions = {str(q["id"]): dict(q) for q in questions}
        self.result = result
        self.results.append({"graded_at": regraded_at, "reason": "regraded", **result})
