"""Quizzes, their questions, and attempts at them."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter, Request, Response
from sqlalchemy.engine import Connection

from aksio.api.deps import Bus, CurrentUser, Now, Paging, Reads, page_links
from aksio.api.schemas.common import ERRORS, PageOut
from aksio.api.schemas.quizzes import (
    AttemptOut,
    AttemptStartOut,
    QuestionAuthorOut,
    QuestionCreate,
    QuestionOut,
    QuestionUpdate,
    QuizCreate,
    QuizDetailOut,
    QuizOut,
    QuizUpdate,
    RegradeOut,
    ResponseIn,
    ResultOut,
    SubmittedOut,
    attempt_out,
    result_out,
)
from aksio.commands.quizzes import (
    AddQuestion,
    ArchiveQuiz,
    CompleteAttempt,
    CreateQuiz,
    RegradeQuiz,
    StartAttempt,
    SubmitResponse,
    UpdateQuestion,
    UpdateQuiz,
)
from aksio.core.errors import NotFound
from aksio.projections import quizzes as q

router = APIRouter(prefix="/api/v1/assessments", tags=["quizzes"], responses=ERRORS)
NULLABLE = ("description", "time_limit_minutes", "max_attempts", "explanation")


def _changes(body: QuizUpdate | QuestionUpdate) -> dict[str, Any]:
    """Set fields; null only clears fields that may be empty."""
    changes = body.model_dump(exclude_unset=True)
    return {k: v for k, v in changes.items() if v is not None or k in NULLABLE}


def _quiz_row(reads: Connection, user: UUID, quiz_id: UUID) -> dict[str, Any]:
    row = q.get_quiz(reads, user, quiz_id)
    if row is None:
        raise NotFound("Quiz")
    return row


def _quiz(reads: Connection, user: UUID, quiz_id: UUID) -> QuizDetailOut:
    row = _quiz_row(reads, user, quiz_id)
    reveal = row["attempts_in_progress"] == 0
    questions = [QuestionOut.public(r, reveal) for r in q.list_questions(reads, quiz_id)]
    return QuizDetailOut.model_validate({**row, "questions": questions})


def _question(reads: Connection, quiz_id: UUID, question_id: UUID) -> QuestionAuthorOut:
    row = q.get_question(reads, quiz_id, question_id)
    if row is None:
        raise NotFound("Question")
    return QuestionAuthorOut.model_validate(row)


def _attempt_row(reads: Connection, user: UUID, attempt_id: UUID) -> tuple[dict[str, Any], bool]:
    """The attempt and whether its answer key may be shown (never while one is running)."""
    row = q.get_attempt(reads, user, attempt_id)
    if row is None:
        raise NotFound("Quiz attempt")
    quiz = _quiz_row(reads, user, row["quiz_id"])
    return row, bool(row["show_results"]) and quiz["attempts_in_progress"] == 0


@router.post("/quizzes/", status_code=201, response_model=QuizDetailOut)
def create_quiz(body: QuizCreate, user: CurrentUser, bus: Bus, reads: Reads) -> QuizDetailOut:
    """Create a quiz in one of your courses."""
    fields = body.model_dump(exclude={"course"})
    quiz_id = bus.run(CreateQuiz(owner_id=user, course_id=body.course, fields=fields))
    return _quiz(reads, user, quiz_id)


@router.get("/quizzes/", response_model=PageOut[QuizOut])
def list_quizzes(
    request: Request,
    user: CurrentUser,
    reads: Reads,
    paging: Paging,
    course: UUID | None = None,
    status: Literal["active", "archived"] | None = None,
) -> PageOut[QuizOut]:
    """List your quizzes, oldest first; filter by `course` and `status`."""
    page = q.list_quizzes(reads, user, paging.page, paging.page_size, course, status)
    result: PageOut[QuizOut] = PageOut[QuizOut].of(request, page, QuizOut)
    return result


@router.get("/quizzes/{quiz_id}/", response_model=QuizDetailOut)
def get_quiz(quiz_id: UUID, user: CurrentUser, reads: Reads) -> QuizDetailOut:
    """Show a quiz with its questions; options show only `id` and `text`."""
    return _quiz(reads, user, quiz_id)


@router.patch("/quizzes/{quiz_id}/", response_model=QuizDetailOut)
def update_quiz(
    quiz_id: UUID, body: QuizUpdate, user: CurrentUser, bus: Bus, reads: Reads
) -> QuizDetailOut:
    """Change a quiz's settings; `status: archived` archives it, `active` restores it."""
    changes = _changes(body)
    status = changes.pop("status", None)
    bus.run(UpdateQuiz(owner_id=user, quiz_id=quiz_id, changes=changes, status=status))
    return _quiz(reads, user, quiz_id)


@router.delete("/quizzes/{quiz_id}/", status_code=204, response_class=Response)
def archive_quiz(quiz_id: UUID, user: CurrentUser, bus: Bus) -> Response:
    """Archive a quiz (its attempts stay)."""
    bus.run(ArchiveQuiz(owner_id=user, quiz_id=quiz_id))
    return Response(status_code=204)


@router.post("/quizzes/{quiz_id}/questions/", status_code=201, response_model=QuestionAuthorOut)
def add_question(
    quiz_id: UUID, body: QuestionCreate, user: CurrentUser, bus: Bus, reads: Reads
) -> QuestionAuthorOut:
    """Add a question; the answer echoes it with each option's `id`."""
    question_id = bus.run(AddQuestion(owner_id=user, quiz_id=quiz_id, fields=body.model_dump()))
    return _question(reads, quiz_id, question_id)


@router.patch("/quizzes/{quiz_id}/questions/{question_id}/", response_model=QuestionAuthorOut)
def update_question(
    quiz_id: UUID,
    question_id: UUID,
    body: QuestionUpdate,
    user: CurrentUser,
    bus: Bus,
    reads: Reads,
) -> QuestionAuthorOut:
    """Fix a question's text, points, explanation, order or options (by option `id`)."""
    changes = _changes(body)
    patches = [
        {k: str(v) if k == "id" else v for k, v in o.items() if v is not None}
        for o in changes.pop("options", None) or []
    ]
    bus.run(
        UpdateQuestion(
            owner_id=user,
            quiz_id=quiz_id,
            question_id=question_id,
            changes=changes,
            option_changes=patches,
        )
    )
    return _question(reads, quiz_id, question_id)


@router.post("/quizzes/{quiz_id}/start_attempt/", status_code=201, response_model=AttemptStartOut)
def start_attempt(
    quiz_id: UUID, user: CurrentUser, bus: Bus, reads: Reads, now: Now
) -> AttemptStartOut:
    """Start an attempt; `questions_order` is shuffled when the quiz randomizes."""
    attempt_id = bus.run(StartAttempt(owner_id=user, quiz_id=quiz_id, now=now))
    row, _ = _attempt_row(reads, user, attempt_id)
    return AttemptStartOut.model_validate({**row, "attempt_id": row["id"]})


@router.get("/quizzes/{quiz_id}/attempts/", response_model=PageOut[AttemptOut])
def list_attempts(
    request: Request, quiz_id: UUID, user: CurrentUser, reads: Reads, paging: Paging
) -> PageOut[AttemptOut]:
    """List the attempts at a quiz, first first."""
    quiz = _quiz_row(reads, user, quiz_id)
    page = q.list_attempts(reads, user, quiz_id, paging.page, paging.page_size)
    reveal = quiz["attempts_in_progress"] == 0
    return PageOut[AttemptOut](
        count=page.count,
        results=[attempt_out(r, reveal and r["show_results"]) for r in page.rows],
        **page_links(request, page.page, page.has_next),
    )


@router.post("/quizzes/{quiz_id}/regrade/", response_model=RegradeOut)
def regrade_quiz(quiz_id: UUID, user: CurrentUser, bus: Bus, now: Now) -> RegradeOut:
    """Grade every completed attempt again against the corrected questions."""
    changed = bus.run(RegradeQuiz(owner_id=user, quiz_id=quiz_id, now=now))
    return RegradeOut(quiz_id=quiz_id, regraded_count=len(changed), regraded_attempts=changed)


@router.get("/quiz-attempts/{attempt_id}/", response_model=AttemptOut)
def get_attempt(attempt_id: UUID, user: CurrentUser, reads: Reads) -> AttemptOut:
    """Show an attempt: answers so far, then its results."""
    row, reveal = _attempt_row(reads, user, attempt_id)
    return attempt_out(row, reveal)


@router.post("/quiz-attempts/{attempt_id}/submit_response/", response_model=SubmittedOut)
def submit_response(
    attempt_id: UUID, body: ResponseIn, user: CurrentUser, bus: Bus, reads: Reads, now: Now
) -> SubmittedOut:
    """Record or replace the answer to one question of the attempt."""
    command = SubmitResponse(
        owner_id=user,
        attempt_id=attempt_id,
        question_id=body.question,
        selected_options=body.selected_options,
        text_answer=body.text_answer,
        time_spent_seconds=body.time_spent_seconds,
        now=now,
    )
    bus.run(command)
    row, _ = _attempt_row(reads, user, attempt_id)
    return SubmittedOut.model_validate(
        {
            **row["responses"][str(body.question)],
            "attempt_id": attempt_id,
            "answered_questions": len(row["responses"]),
            "total_questions": len(row["questions_order"]),
        }
    )


@router.post("/quiz-attempts/{attempt_id}/complete/", response_model=ResultOut)
def complete_attempt(
    attempt_id: UUID, user: CurrentUser, bus: Bus, reads: Reads, now: Now
) -> ResultOut:
    """Grade the attempt; completing it again answers the same result."""
    bus.run(CompleteAttempt(owner_id=user, attempt_id=attempt_id, now=now))
    row, reveal = _attempt_row(reads, user, attempt_id)
    return result_out(row, reveal)
