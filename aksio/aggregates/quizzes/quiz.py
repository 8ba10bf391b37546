"""A quiz over a course: its settings, its questions and the attempts started on it.

Lifecycle: created `active` with settings; settings change by `Updated`;
`Archived` (DELETE or PATCH of status) and `Restored`. Questions are added and
corrected at any time (attempts keep the questions they started with until a
regrade). Each `start_attempt` records `AttemptStarted`, so the quiz can refuse
one more than `max_attempts`, and an archived or empty quiz cannot be started.
A generated question keeps the `source` passage it was drawn from; questions
added by hand, and those stored before sources were kept, have none.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from aksio.aggregates import values as v
from aksio.aggregates.quizzes.questions import check_question, merge_options
from aksio.core.errors import InvalidState, MaxAttemptsExceeded, NotFound, ValidationFailed

QUIZ_FIELDS = (
    "title", "description", "quiz_type", "time_limit_minutes", "passing_score",
    "max_attempts", "randomize_questions", "show_results_immediately",
)  # fmt: skip
QUIZ_DEFAULTS: dict[str, Any] = {
    "description": None, "quiz_type": "practice", "time_limit_minutes": None,
    "passing_score": 70, "max_attempts": None, "randomize_questions": False,
    "show_results_immediately": True,
}  # fmt: skip
QUESTION_FIELDS = (
    "question_text", "question_type", "points", "explanation", "order", "source",
)  # fmt: skip
QUIZ_RULES = {
    "title": v.text(required=True, max_length=200),
    "description": v.text(nullable=True),
    "quiz_type": v.choice("practice", "exam", "assessment"),
    "time_limit_minutes": v.integer(nullable=True),
    "passing_score": v.integer(),
    "max_attempts": v.integer(nullable=True),
    "randomize_questions": v.flag(),
    "show_results_immediately": v.flag(),
}
QUESTION_RULES = {
    "question_text": v.text(required=True),
    "points": v.integer(),
    "explanation": v.text(nullable=True),
    "order": v.integer(),
}
# What an attempt keeps of each question to grade it.
GRADED_FIELDS = ("id", "question_text", "question_type", "points", "explanation", "options")


class Quiz(Aggregate):
    TOPIC = "aksio.quiz"

    class Created(Aggregate.Created):
        TOPIC = "aksio.quiz.created"
        owner_id: UUID
        course_id: UUID
        fields: dict[str, Any]

    class Updated(Aggregate.Event):
        TOPIC = "aksio.quiz.updated"
        changes: dict[str, Any]

    class Archived(Aggregate.Event):
        TOPIC = "aksio.quiz.archived"

    class Restored(Aggregate.Event):
        TOPIC = "aksio.quiz.restored"

    class QuestionAdded(Aggregate.Event):
        TOPIC = "aksio.quiz.question_added"
        question_id: UUID
        fields: dict[str, Any]

    class QuestionUpdated(Aggregate.Event):
        TOPIC = "aksio.quiz.question_updated"
        question_id: UUID
        changes: dict[str, Any]

    class AttemptStarted(Aggregate.Event):
        TOPIC = "aksio.quiz.attempt_started"
        attempt_id: UUID

    @event(Created)
    def __init__(self, owner_id: UUID, course_id: UUID, fields: dict[str, Any]) -> None:
        self.owner_id = owner_id
        self.course_id = course_id
        self.fields = dict(fields)
        self.status = "active"
        self.questions: dict[str, dict[str, Any]] = {}
        self.attempt_ids: list[UUID] = []

    @classmethod
    def create(cls, owner_id: UUID, course_id: UUID, fields: dict[str, Any]) -> Quiz:
        """Settings not given take their defaults; a quiz needs a title."""
        if not fields.get("title"):
            raise ValidationFailed.field("title", "A quiz needs a title.")
        given = {k: v for k, v in fields.items() if k in QUIZ_FIELDS and v is not None}
        v.check(given, QUIZ_RULES)
        return cls(owner_id=owner_id, course_id=course_id, fields={**QUIZ_DEFAULTS, **given})

    def update(self, changes: dict[str, Any]) -> None:
        # Other keys are ignored here (never stored), as they always were.
        v.check({k: c for k, c in changes.items() if k in QUIZ_RULES}, QUIZ_RULES)
        changed = {k: v for k, v in changes.items() if k in QUIZ_FIELDS and self.fields.get(k) != v}
        if changed:
            self._updated(changes=changed)

    def set_status(self, status: str) -> None:
        if status == self.status:
            return
        if status == "archived":
            self._archived()
        else:
            self._restored()

    def add_question(self, question_id: UUID, fields: dict[str, Any]) -> None:
        """`fields` are QUESTION_FIELDS plus `options` with their ids; `order` defaults to last."""
        check_question(fields.get("question_type", ""), fields.get("options", []))
        if not fields.get("question_text"):
            raise ValidationFailed.field("question_text", "A question needs a text.")
        source = fields.get("source")
        if source is not None and not isinstance(source, dict):
            raise ValidationFailed.field("source", "Must be an object naming the source passage.")
        decided = {k: fields.get(k) for k in QUESTION_FIELDS}
        decided["points"] = fields.get("points") or 1
        given = {k: decided[k] for k in ("question_text", "points", "explanation")}
        v.check({**given, "order": decided["order"] or 0}, QUESTION_RULES)
        decided["options"] = [dict(o) for o in fields.get("options", [])]
        if decided["order"] is None:
            decided["order"] = len(self.questions)
        decided["seq"] = len(self.questions)
        self._question_added(question_id=question_id, fields=decided)

    def update_question(
        self, question_id: UUID, changes: dict[str, Any], option_changes: list[dict[str, Any]]
    ) -> None:
        """Fixes text, points, explanation, order, or options' text and correctness."""
        current = self.question(question_id)
        v.check({k: c for k, c in changes.items() if k in QUESTION_RULES}, QUESTION_RULES)
        decided = {
            k: v for k, v in changes.items() if k in QUESTION_FIELDS and k != "question_type"
        }
        if option_changes:
            options = merge_options(current["options"], option_changes)
            check_question(current["question_type"], options)
            decided["options"] = options
        decided = {k: v for k, v in decided.items() if current.get(k) != v}
        if decided:
            self._question_updated(question_id=question_id, changes=decided)

    def question(self, question_id: UUID) -> dict[str, Any]:
        try:
            return self.questions[str(question_id)]
        except KeyError:
            raise NotFound("Question") from None

    def ordered_questions(self) -> list[dict[str, Any]]:
        return sorted(self.questions.values(), key=lambda q: (q["order"], q["seq"]))

    def graded_questions(self, question_ids: list[str]) -> list[dict[str, Any]]:
        """What an attempt needs to grade these questions, in the given order."""
        return [
            {k: self.questions[qid][k] for k in GRADED_FIELDS}
            for qid in question_ids
            if qid in self.questions
        ]

    @property
    def next_attempt_number(self) -> int:
        return len(self.attempt_ids) + 1

    def start_attempt(self, attempt_id: UUID) -> None:
        """Records a new attempt, numbered `next_attempt_number`."""
        if self.status != "active":
            raise InvalidState("An archived quiz cannot be started.")
        if not self.questions:
            raise InvalidState("The quiz has no questions yet.")
        limit = self.fields.get("max_attempts")
        if limit is not None and len(self.attempt_ids) >= limit:
            raise MaxAttemptsExceeded(f"This quiz allows at most {limit} attempts.")
        self._attempt_started(attempt_id=attempt_id)

    @event(Updated)
    def _updated(self, changes: dict[str, Any]) -> None:
        self.fields.update(changes)

    @event(Archived)
    def _archived(self) -> None:
        self.status = "archived"

    @event(Restored)
    def _restored(self) -> None:
        self.status = "active"

    @event(QuestionAdded)
    def _question_added(self, question_id: UUID, fields: dict[str, Any]) -> None:
        self.questions[str(question_id)] = {"id": str(question_id), **fields}

    @event(QuestionUpdated)
    def _question_updated(self, question_id: UUID, changes: dict[str, Any]) -> None:
        self.questions[str(question_id)].update(changes)

    @event(AttemptStarted)
    def _attempt_started(self, attempt_id: UUID) -> None:
        self.attempt_ids.append(attempt_id)
