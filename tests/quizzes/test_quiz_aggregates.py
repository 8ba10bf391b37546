"""Quiz and attempt aggregates, given/when/then, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.domain import Aggregate

from aksio.aggregates.assessments.assessment import Assessment
from aksio.aggregates.quizzes.attempt import QuizAttempt
from aksio.aggregates.quizzes.questions import hide_answer_key
from aksio.aggregates.quizzes.quiz import QUIZ_DEFAULTS, Quiz
from aksio.core.errors import (
    InvalidState,
    MaxAttemptsExceeded,
    NotFound,
    TimeLimitExceeded,
    ValidationFailed,
)

T0 = datetime(2024, 1, 20, 10, 0, tzinfo=UTC)
OWNER = uuid4()


def replay(aggregate: Aggregate) -> Any:
    """The aggregate rebuilt from its own events, as the store would."""
    events = aggregate.collect_events()
    rebuilt: Any = None
    for e in events:
        rebuilt = e.mutate(rebuilt)
    return rebuilt


def opts(*spec: tuple[str, bool]) -> list[dict[str, Any]]:
    return [{"id": str(uuid4()), "text": t, "is_correct": c} for t, c in spec]


def question(kind: str, options: list[dict[str, Any]], points: int = 1) -> dict[str, Any]:
    return {"question_text": "Q?", "question_type": kind, "points": points, "options": options}


def quiz_with(*questions: dict[str, Any], **settings: Any) -> Quiz:
    fields = {"title": "Q", "passing_score": 50, "show_results_immediately": True, **settings}
    quiz = Quiz.create(OWNER, uuid4(), fields)
    for q in questions:
        quiz.add_question(uuid4(), q)
    return quiz


def start(quiz: Quiz, at: datetime = T0) -> QuizAttempt:
    order = [q["id"] for q in quiz.ordered_questions()]
    attempt = QuizAttempt.start(
        owner_id=OWNER,
        quiz_id=quiz.id,
        attempt_number=quiz.next_attempt_number,
        started_at=at,
        settings=quiz.fields,
        questions=quiz.graded_questions(order),
        order=order,
    )
    quiz.start_attempt(attempt.id)
    return attempt


def test_settings_take_defaults_and_a_title_is_needed() -> None:
    quiz = Quiz.create(OWNER, uuid4(), {"title": "T", "max_attempts": 2, "unknown": 1})
    assert quiz.fields == {**QUIZ_DEFAULTS, "title": "T", "max_attempts": 2}
    with pytest.raises(ValidationFailed):
        Quiz.create(OWNER, uuid4(), {"quiz_type": "exam"})
    quiz.update({"passing_score": 90, "owner_id": uuid4()})
    assert quiz.fields["passing_score"] == 90 and "owner_id" not in quiz.fields
    quiz.add_question(uuid4(), {"question_text": "Why?", "question_type": "essay"})
    assert quiz.ordered_questions()[0]["points"] == 1
    with pytest.raises(ValidationFailed):
        quiz.add_question(uuid4(), {"question_type": "essay"})


@pytest.mark.parametrize(
    ("kind", "options"),
    [
        ("multiple_choice", opts(("a", True), ("b", True))),
        ("multiple_choice", opts(("a", False), ("b", False))),
        ("multiple_choice", opts(("a", True))),
        ("multiple_answer", opts(("a", False), ("b", False))),
        ("true_false", opts(("Yes", True), ("No", False))),
        ("true_false", opts(("True", True), ("False", True))),
        ("short_answer", opts(("Paris", False))),
        ("short_answer", []),
        ("essay", opts(("x", True))),
        ("riddle", opts(("a", True), ("b", False))),
    ],
)
def test_malformed_questions_are_refused(kind: str, options: list[dict[str, Any]]) -> None:
    quiz = quiz_with()
    with pytest.raises(ValidationFailed):
        quiz.add_question(uuid4(), question(kind, options))
    assert quiz.questions == {}


@pytest.mark.parametrize(
    ("kind", "options"),
    [
        ("multiple_choice", opts(("a", True), ("b", False))),
        ("multiple_answer", opts(("a", True), ("b", True), ("c", False))),
        ("true_false", opts((" true ", False), ("FALSE", True))),
        ("short_answer", opts(("Paris", True))),
        ("essay", []),
    ],
)
def test_well_formed_questions_are_added_in_order(kind: str, options: list[dict[str, Any]]) -> None:
    quiz = quiz_with(question("essay", []))
    quiz.add_question(uuid4(), question(kind, options))
    assert [q["seq"] for q in quiz.ordered_questions()] == [0, 1]
    assert replay(quiz).questions == quiz.questions


def test_fixing_a_question_rechecks_its_options() -> None:
    quiz = quiz_with(question("multiple_choice", opts(("a", True), ("b", False))))
    (q,) = quiz.ordered_questions()
    wrong, right = q["options"]
    with pytest.raises(ValidationFailed):
        quiz.update_question(UUID(q["id"]), {}, [{"id": right["id"], "is_correct": True}])
    with pytest.raises(ValidationFailed):
        quiz.update_question(UUID(q["id"]), {}, [{"id": str(uuid4()), "is_correct": True}])
    with pytest.raises(NotFound):
        quiz.update_question(uuid4(), {"points": 2}, [])
    fix = [{"id": wrong["id"], "is_correct": False}, {"id": right["id"], "is_correct": True}]
    quiz.update_question(UUID(q["id"]), {"points": 3}, fix)
    assert [o["is_correct"] for o in quiz.question(UUID(q["id"]))["options"]] == [False, True]
    assert replay(quiz).questions == quiz.questions


def test_attempts_are_limited_and_need_an_active_quiz_with_questions() -> None:
    with pytest.raises(InvalidState):
        start(quiz_with())
    quiz = quiz_with(question("essay", []), max_attempts=2)
    start(quiz)
    start(quiz)
    with pytest.raises(MaxAttemptsExceeded):
        start(quiz)
    assert len(quiz.attempt_ids) == 2
    archived = quiz_with(question("essay", []))
    archived.set_status("archived")
    with pytest.raises(InvalidState):
        start(archived)


def mc_quiz(**settings: Any) -> tuple[Quiz, QuizAttempt, dict[str, Any]]:
    quiz = quiz_with(question("multiple_choice", opts(("a", True), ("b", False)), 4), **settings)
    return quiz, start(quiz), quiz.ordered_questions()[0]


def test_answers_until_the_time_limit() -> None:
    _, attempt, q = mc_quiz(time_limit_minutes=10)
    qid, (right, wrong) = UUID(q["id"]), q["options"]
    attempt.submit_response(qid, [UUID(wrong["id"])], None, 5, T0 + timedelta(minutes=10))
    with pytest.raises(TimeLimitExceeded):
        attempt.submit_response(qid, [UUID(right["id"])], None, 5, T0 + timedelta(minutes=10.01))
    assert attempt.responses[q["id"]]["selected_options"] == [wrong["id"]]


def test_answers_must_belong_to_the_attempt_and_the_question() -> None:
    quiz, attempt, q = mc_quiz()
    other = question("multiple_choice", opts(("x", True), ("y", False)))
    quiz.add_question(uuid4(), other)  # added after the attempt started
    added = quiz.ordered_questions()[1]
    with pytest.raises(ValidationFailed) as outside:
        attempt.submit_response(UUID(added["id"]), [], None, None, T0)
    assert "question" in outside.value.details
    foreign = UUID(added["options"][0]["id"])
    with pytest.raises(ValidationFailed) as wrong_option:
        attempt.submit_response(UUID(q["id"]), [foreign], None, None, T0)
    assert "selected_options" in wrong_option.value.details
    both = [UUID(o["id"]) for o in q["options"]]
    with pytest.raises(ValidationFailed):
        attempt.submit_response(UUID(q["id"]), both, None, None, T0)
    assert attempt.responses == {}


def test_completing_grades_once_and_locks_the_attempt() -> None:
    _, attempt, q = mc_quiz()
    attempt.submit_response(UUID(q["id"]), [UUID(q["options"][0]["id"])], None, 3, T0)
    attempt.complete(T0 + timedelta(minutes=7))
    assert attempt.result is not None
    first = dict(attempt.result)
    assert (first["score"], first["percentage_score"], first["passed"]) == (4, 100.0, True)
    assert first["time_taken_minutes"] == 7.0
    attempt.complete(T0 + timedelta(minutes=30))
    assert attempt.result == first
    assert len(attempt.results) == 1
    with pytest.raises(InvalidState):
        attempt.submit_response(UUID(q["id"]), [], None, None, T0 + timedelta(minutes=8))
    assert replay(attempt).result == first


def test_regrade_keeps_the_earlier_result() -> None:
    quiz, attempt, q = mc_quiz()
    right, wrong = q["options"]
    attempt.submit_response(UUID(q["id"]), [UUID(wrong["id"])], None, None, T0)
    attempt.complete(T0 + timedelta(minutes=1))
    assert attempt.result is not None and attempt.result["score"] == 0
    fix = [{"id": right["id"], "is_correct": False}, {"id": wrong["id"], "is_correct": True}]
    quiz.update_question(UUID(q["id"]), {}, fix)
    later = T0 + timedelta(days=1)
    assert attempt.regrade(quiz.graded_questions(attempt.questions_order), later) is True
    assert attempt.regrade(quiz.graded_questions(attempt.questions_order), later) is False
    assert [r["score"] for r in attempt.results] == [0, 4]
    assert [r["reason"] for r in attempt.results] == ["completed", "regraded"]
    assert attempt.result["passed"] is True
    assert replay(attempt).results == attempt.results


def test_an_unfinished_attempt_is_not_regraded() -> None:
    quiz, attempt, _ = mc_quiz()
    assert attempt.regrade(quiz.graded_questions(attempt.questions_order), T0) is False


def test_answer_key_is_hidden_at_any_depth() -> None:
    data = {
        "fields": {
            "question_type": "short_answer",
            "explanation": "x",
            "options": [{"id": "1", "text": "Paris", "is_correct": True}],
        },
        "questions": [{"question_type": "multiple_choice", "options": [{"id": "2", "text": "a",
                                                                          "is_correct": True}]}],
        "result": {"score": 1, "detailed_results": [{"correct_answer": "a", "is_correct": True}]},
    }  # fmt: skip
    assert hide_answer_key(data) == {
        "fields": {"question_type": "short_answer", "options": []},
        "questions": [{"question_type": "multiple_choice", "options": [{"id": "2", "text": "a"}]}],
        "result": {"score": 1, "detailed_results": [{}]},
    }


def test_assessment_lifecycle() -> None:
    assessment = Assessment.create(OWNER, uuid4(), {"title": "Midterm", "description": None})
    assert (assessment.status, assessment.generated_content) == ("pending", None)
    assessment.update({"title": "Final", "course": "ignored"})
    assessment.record_generated({"quiz": {"quiz_id": "q"}})
    assert assessment.status == "completed"
    assert assessment.fields == {"title": "Final", "description": None}
    assessment.delete()
    with pytest.raises(NotFound):
        assessment.update({"title": "x"})
    rebuilt = replay(assessment)
    assert (rebuilt.deleted, rebuilt.generated_content) == (True, {"quiz": {"quiz_id": "q"}})
