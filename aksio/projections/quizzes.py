"""Quizzes, their questions and attempts, as the API lists and shows them.

The rows keep the answer key (options' `is_correct`, detailed results); the API
schemas decide what a reader sees. Times inside JSON columns are ISO strings.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from eventsourcing.domain import DomainEvent
from sqlalchemy.engine import Connection

from aksio.aggregates.quizzes.attempt import QuizAttempt
from aksio.aggregates.quizzes.quiz import QUIZ_FIELDS, Quiz
from aksio.projections.engine.base import Projection, Row, Rows, handles
from aksio.projections.engine.db import UtcDateTime, metadata
from aksio.projections.engine.paging import Page, first_row, paged

quizzes = sa.Table(
    "rm_quizzes",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("owner_id", sa.Uuid, nullable=False, index=True),
    sa.Column("course_id", sa.Uuid, nullable=False, index=True),
    sa.Column("title", sa.String, nullable=False),
    sa.Column("description", sa.Text),
    sa.Column("quiz_type", sa.String, nullable=False),
    sa.Column("time_limit_minutes", sa.Integer),
    sa.Column("passing_score", sa.Integer, nullable=False),
    sa.Column("max_attempts", sa.Integer),
    sa.Column("randomize_questions", sa.Boolean, nullable=False),
    sa.Column("show_results_immediately", sa.Boolean, nullable=False),
    sa.Column("status", sa.String, nullable=False),
    sa.Column("question_count", sa.Integer, nullable=False, default=0),
    sa.Column("total_points", sa.Integer, nullable=False, default=0),
    sa.Column("attempt_count", sa.Integer, nullable=False, default=0),
    sa.Column("attempts_in_progress", sa.Integer, nullable=False, default=0),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

questions = sa.Table(
    "rm_quiz_questions",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("quiz_id", sa.Uuid, nullable=False, index=True),
    sa.Column("question_text", sa.Text, nullable=False),
    sa.Column("question_type", sa.String, nullable=False),
    sa.Column("points", sa.Integer, nullable=False),
    sa.Column("explanation", sa.Text),
    sa.Column("order", sa.Integer, nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("options", sa.JSON, nullable=False),
    # The passage a generated question was drawn from (document, page, section, excerpt).
    sa.Column("source", sa.JSON(none_as_null=True)),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

attempts = sa.Table(
    "rm_quiz_attempts",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("quiz_id", sa.Uuid, nullable=False, index=True),
    sa.Column("owner_id", sa.Uuid, nullable=False, index=True),
    sa.Column("attempt_number", sa.Integer, nullable=False),
    sa.Column("status", sa.String, nullable=False),
    sa.Column("started_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime),
    sa.Column("time_limit_minutes", sa.Integer),
    sa.Column("questions_order", sa.JSON, nullable=False),
    sa.Column("responses", sa.JSON, nullable=False),
    sa.Column("show_results", sa.Boolean, nullable=False),
    sa.Column("completed_at", UtcDateTime),
    sa.Column("result", sa.JSON),
    sa.Column("results", sa.JSON, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)


def _iso(moment: datetime) -> str:
    return moment.isoformat()


class QuizzesProjection(Projection):
    name = "quizzes"
    version = 2  # 2: questions keep their source passage
    tables = (quizzes, questions, attempts)

    @handles(Quiz.Created)
    def created(self, e: Quiz.Created, rows: Rows) -> None:
        row: Row = {k: e.fields.get(k) for k in QUIZ_FIELDS}
        row.update(id=e.originator_id, owner_id=e.owner_id, course_id=e.course_id)
        row.update(status="active", question_count=0, total_points=0, attempt_count=0)
        rows.put(quizzes, {**row, "created_at": e.timestamp, "updated_at": e.timestamp})

    @handles(Quiz.Updated)
    def updated(self, e: Quiz.Updated, rows: Rows) -> None:
        changes = {k: v for k, v in e.changes.items() if k in QUIZ_FIELDS}
        rows.update(quizzes, e.originator_id, **changes, updated_at=e.timestamp)

    @handles(Quiz.Archived, Quiz.Restored)
    def status_changed(self, e: Quiz.Archived | Quiz.Restored, rows: Rows) -> None:
        status = "archived" if isinstance(e, Quiz.Archived) else "active"
        rows.update(quizzes, e.originator_id, status=status, updated_at=e.timestamp)

    @handles(Quiz.QuestionAdded)
    def question_added(self, e: Quiz.QuestionAdded, rows: Rows) -> None:
        quiz = rows.get(quizzes, e.originator_id)
        if quiz is None:
            return
        f = e.fields
        rows.update(
            quizzes,
            e.originator_id,
            question_count=quiz["question_count"] + 1,
            total_points=quiz["total_points"] + f["points"],
            updated_at=e.timestamp,
        )
        rows.put(
            questions,
            {
                **{k: f.get(k) for k in ("question_text", "question_type", "points", "order")},
                **{k: f.get(k) for k in ("explanation", "seq", "options", "source")},
                "id": e.question_id,
                "quiz_id": e.originator_id,
                "created_at": e.timestamp,
                "updated_at": e.timestamp,
            },
        )

    @handles(Quiz.QuestionUpdated)
    def question_updated(self, e: Quiz.QuestionUpdated, rows: Rows) -> None:
        before = rows.get(questions, e.question_id)
        quiz = rows.get(quizzes, e.originator_id)
        if before is None or quiz is None:
            return
        rows.update(questions, e.question_id, **e.changes, updated_at=e.timestamp)
        gained = e.changes.get("points", before["points"]) - before["points"]
        total = quiz["total_points"] + gained
        rows.update(quizzes, e.originator_id, total_points=total, updated_at=e.timestamp)

    @handles(QuizAttempt.Created)
    def attempt_started(self, e: QuizAttempt.Created, rows: Rows) -> None:
        quiz = rows.get(quizzes, e.quiz_id)
        if quiz is not None:
            rows.update(
                quizzes,
                e.quiz_id,
                attempt_count=quiz["attempt_count"] + 1,
                attempts_in_progress=quiz["attempts_in_progress"] + 1,
            )
        rows.put(
            attempts,
            {
                "id": e.originator_id,
                "quiz_id": e.quiz_id,
                "owner_id": e.owner_id,
                "attempt_number": e.attempt_number,
                "status": "in_progress",
                "started_at": e.started_at,
                "expires_at": e.deadline,
                "time_limit_minutes": e.time_limit_minutes,
                "questions_order": list(e.questions_order),
                "responses": {},
                "show_results": e.show_results,
                "results": [],
                "created_at": e.timestamp,
                "updated_at": e.timestamp,
            },
        )

    @handles(QuizAttempt.ResponseSubmitted)
    def response_submitted(self, e: QuizAttempt.ResponseSubmitted, rows: Rows) -> None:
        attempt = rows.get(attempts, e.originator_id)
        if attempt is None:
            return
        response = {
            "question": str(e.question_id),
            "selected_options": list(e.selected_options),
            "text_answer": e.text_answer,
            "time_spent_seconds": e.time_spent_seconds,
            "submitted_at": _iso(e.submitted_at),
        }
        responses = {**attempt["responses"], str(e.question_id): response}
        rows.update(attempts, e.originator_id, responses=responses, updated_at=e.timestamp)

    @handles(QuizAttempt.Completed)
    def completed(self, e: QuizAttempt.Completed, rows: Rows) -> None:
        attempt = self._graded(e, e.completed_at, "completed", e.result, rows)
        if attempt is None:
            return
        rows.update(attempts, e.originator_id, status="completed", completed_at=e.completed_at)
        quiz = rows.get(quizzes, attempt["quiz_id"])
        if quiz is not None:
            left = quiz["attempts_in_progress"] - 1
            rows.update(quizzes, attempt["quiz_id"], attempts_in_progress=left)

    @handles(QuizAttempt.Regraded)
    def regraded(self, e: QuizAttempt.Regraded, rows: Rows) -> None:
        self._graded(e, e.regraded_at, "regraded", e.result, rows)

    def _graded(
        self, e: DomainEvent, at: datetime, reason: str, result: dict[str, Any], rows: Rows
    ) -> Row | None:
        attempt = rows.get(attempts, e.originator_id)
        if attempt is None:
            return None
        entry = {"graded_at": _iso(at), "reason": reason, **result}
        history = [*attempt["results"], entry]
        return rows.update(
            attempts, e.originator_id, result=entry, results=history, updated_at=e.timestamp
        )


# -- queries -------------------------------------------------------------------------
def list_quizzes(
    conn: Connection,
    owner_id: UUID,
    page: int,
    page_size: int,
    course_id: UUID | None = None,
    status: str | None = None,
) -> Page:
    query = sa.select(quizzes).where(quizzes.c.owner_id == owner_id)
    if course_id is not None:
        query = query.where(quizzes.c.course_id == course_id)
    if status:
        query = query.where(quizzes.c.status == status)
    return paged(conn, query.order_by(quizzes.c.created_at, quizzes.c.id), page, page_size)


def get_quiz(conn: Connection, owner_id: UUID, quiz_id: UUID) -> Row | None:
    return first_row(
        conn, sa.select(quizzes).where(quizzes.c.id == quiz_id, quizzes.c.owner_id == owner_id)
    )


def list_questions(conn: Connection, quiz_id: UUID) -> list[Row]:
    query = sa.select(questions).where(questions.c.quiz_id == quiz_id)
    found = conn.execute(query.order_by(questions.c.order, questions.c.seq)).mappings()
    return [dict(r) for r in found]


def get_question(conn: Connection, quiz_id: UUID, question_id: UUID) -> Row | None:
    cond = (questions.c.id == question_id, questions.c.quiz_id == quiz_id)
    return first_row(conn, sa.select(questions).where(*cond))


def get_attempt(conn: Connection, owner_id: UUID, attempt_id: UUID) -> Row | None:
    cond = (attempts.c.id == attempt_id, attempts.c.owner_id == owner_id)
    return first_row(conn, sa.select(attempts).where(*cond))


def list_attempts(
    conn: Connection, owner_id: UUID, quiz_id: UUID, page: int, page_size: int
) -> Page:
    query = sa.select(attempts).where(
        attempts.c.owner_id == owner_id, attempts.c.quiz_id == quiz_id
    )
    return paged(conn, query.order_by(attempts.c.attempt_number), page, page_size)


def answers_hidden(conn: Connection, owner_id: UUID, aggregate_id: UUID) -> bool:
    """True when the aggregate is a quiz, or an attempt at a quiz, with an attempt running."""
    quiz_id = conn.execute(
        sa.select(attempts.c.quiz_id).where(
            attempts.c.id == aggregate_id, attempts.c.owner_id == owner_id
        )
    ).scalar()
    running = conn.execute(
        sa.select(quizzes.c.attempts_in_progress).where(
            quizzes.c.id == (quiz_id or aggregate_id), quizzes.c.owner_id == owner_id
        )
    ).scalar()
    return bool(running)
