"""Commands of the quizzes context: quizzes, their questions, and attempts at them."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from aksio.aggregates.quizzes.attempt import QuizAttempt
from aksio.aggregates.quizzes.quiz import Quiz
from aksio.commands.bus import Command, Handler, UnitOfWork
from aksio.commands.references import own_course


@dataclass(frozen=True, kw_only=True)
class CreateQuiz(Command[UUID]):
    owner_id: UUID
    course_id: UUID
    fields: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class UpdateQuiz(Command[None]):
    owner_id: UUID
    quiz_id: UUID
    changes: dict[str, Any]
    status: str | None = None


@dataclass(frozen=True, kw_only=True)
class ArchiveQuiz(Command[None]):
    owner_id: UUID
    quiz_id: UUID


@dataclass(frozen=True, kw_only=True)
class AddQuestion(Command[UUID]):
    """`fields` hold the question and `options` as `{"text", "is_correct"}` dicts."""

    owner_id: UUID
    quiz_id: UUID
    fields: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class UpdateQuestion(Command[None]):
    owner_id: UUID
    quiz_id: UUID
    question_id: UUID
    changes: dict[str, Any]
    option_changes: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class StartAttempt(Command[UUID]):
    owner_id: UUID
    quiz_id: UUID
    now: datetime


@dataclass(frozen=True, kw_only=True)
class SubmitResponse(Command[None]):
    owner_id: UUID
    attempt_id: UUID
    question_id: UUID
    selected_options: list[UUID]
    text_answer: str | None
    time_spent_seconds: int | None
    now: datetime


@dataclass(frozen=True, kw_only=True)
class CompleteAttempt(Command[None]):
    owner_id: UUID
    attempt_id: UUID
    now: datetime


@dataclass(frozen=True, kw_only=True)
class RegradeQuiz(Command[list[UUID]]):
    """Grades every completed attempt again; returns the attempts whose result changed."""

    owner_id: UUID
    quiz_id: UUID
    now: datetime


def create_quiz(cmd: CreateQuiz, uow: UnitOfWork) -> UUID:
    own_course(uow, cmd.owner_id, cmd.course_id)
    quiz = Quiz.create(cmd.owner_id, cmd.course_id, cmd.fields)
    uow.save(quiz)
    return quiz.id


def update_quiz(cmd: UpdateQuiz, uow: UnitOfWork) -> None:
    quiz = uow.load(Quiz, cmd.quiz_id, owner_id=cmd.owner_id)
    quiz.update(cmd.changes)
    if cmd.status is not None:
        quiz.set_status(cmd.status)
    uow.save(quiz)


def archive_quiz(cmd: ArchiveQuiz, uow: UnitOfWork) -> None:
    quiz = uow.load(Quiz, cmd.quiz_id, owner_id=cmd.owner_id)
    quiz.set_status("archived")
    uow.save(quiz)


def add_question(cmd: AddQuestion, uow: UnitOfWork) -> UUID:
    quiz = uow.load(Quiz, cmd.quiz_id, owner_id=cmd.owner_id)
    question_id = uuid4()
    options = [
        {"id": str(uuid4()), "text": o["text"], "is_correct": bool(o.get("is_correct"))}
        for o in cmd.fields.get("options") or []
    ]
    quiz.add_question(question_id, {**cmd.fields, "options": options})
    uow.save(quiz)
    return question_id


def update_question(cmd: UpdateQuestion, uow: UnitOfWork) -> None:
    quiz = uow.load(Quiz, cmd.quiz_id, owner_id=cmd.owner_id)
    quiz.update_question(cmd.question_id, cmd.changes, cmd.option_changes)
    uow.save(quiz)


def start_attempt(cmd: StartAttempt, uow: UnitOfWork) -> UUID:
    quiz = uow.load(Quiz, cmd.quiz_id, owner_id=cmd.owner_id)
    order = [q["id"] for q in quiz.ordered_questions()]
    if quiz.fields.get("randomize_questions"):
        random.shuffle(order)  # decided here and stored, so replay needs no randomness
    attempt = QuizAttempt.start(
        owner_id=cmd.owner_id,
        quiz_id=quiz.id,
        attempt_number=quiz.next_attempt_number,
        started_at=cmd.now,
        settings=quiz.fields,
        questions=quiz.graded_questions(order),
        order=order,
    )
    quiz.start_attempt(attempt.id)  # refuses past max_attempts: the attempt is then dropped
    uow.save(quiz, attempt)
    return attempt.id


def submit_response(cmd: SubmitResponse, uow: UnitOfWork) -> None:
    attempt = uow.load(QuizAttempt, cmd.attempt_id, owner_id=cmd.owner_id)
    attempt.submit_response(
        cmd.question_id, cmd.selected_options, cmd.text_answer, cmd.time_spent_seconds, cmd.now
    )
    uow.save(attempt)


def complete_attempt(cmd: CompleteAttempt, uow: UnitOfWork) -> None:
    attempt = uow.load(QuizAttempt, cmd.attempt_id, owner_id=cmd.owner_id)
    attempt.complete(cmd.now)
    uow.save(attempt)


def regrade_quiz(cmd: RegradeQuiz, uow: UnitOfWork) -> list[UUID]:
    quiz = uow.load(Quiz, cmd.quiz_id, owner_id=cmd.owner_id)
    changed: list[QuizAttempt] = []
    for attempt_id in quiz.attempt_ids:
        attempt = uow.load(QuizAttempt, attempt_id, owner_id=cmd.owner_id)
        if attempt.regrade(quiz.graded_questions(attempt.questions_order), cmd.now):
            changed.append(attempt)
    uow.save(*changed)
    return [a.id for a in changed]


HANDLERS: dict[type[Any], Handler] = {
    CreateQuiz: create_quiz,
    UpdateQuiz: update_quiz,
    ArchiveQuiz: archive_quiz,
    AddQuestion: add_question,
    UpdateQuestion: update_question,
    StartAttempt: start_attempt,
    SubmitResponse: submit_response,
    CompleteAttempt: complete_attempt,
    RegradeQuiz: regrade_quiz,
}
