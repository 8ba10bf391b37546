"""Storing what AI generation made: flashcards, a quiz with its questions, and the record of it.

The drafts are written before this command runs (a model may take seconds);
the handler turns them into real cards in the assessment's course and a real
quiz, records the result on the assessment and meters the tokens, all in one
save: a refused draft leaves nothing half-stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from aksio.aggregates.billing.usage import UsageMeter, meter_id, period_of
from aksio.aggregates.flashcards.flashcard import Flashcard
from aksio.aggregates.quizzes.quiz import Quiz
from aksio.commands.assessments import load_assessment
from aksio.commands.bus import Command, Handler, UnitOfWork
from aksio.integrations.llm.models import CardDraft, QuestionDraft


@dataclass(frozen=True, kw_only=True)
class StoreGeneratedContent(Command[dict[str, Any]]):
    """Returns the record kept on the assessment: `flashcards` and `quiz` (with their ids),
    `agent_metadata` and `warnings`."""

    owner_id: UUID
    assessment_id: UUID
    cards: tuple[CardDraft, ...]
    questions: tuple[QuestionDraft, ...]
    quiz_title: str
    scheduler: str = "sm2"
    tokens_used: int = 0
    agent_metadata: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    confidence: dict[str, float] = field(default_factory=dict)


def meter_tokens(
    uow: UnitOfWork, owner_id: UUID, tokens: int, source: str, at: datetime
) -> list[Aggregate]:
    """The user's usage meter of this month with `tokens` more, to save with the work."""
    if tokens <= 0:
        return []
    period = period_of(at)
    meter = uow.find(UsageMeter, meter_id(owner_id, period))
    if meter is None:
        meter = UsageMeter(owner_id=owner_id, period=period)
    meter.record(tokens, source, at)
    return [meter]


def _card_fields(draft: CardDraft, course_id: UUID) -> dict[str, Any]:
    return {
        "question": draft.question,
        "answer": draft.answer,
        "difficulty_level": draft.difficulty_level,
        "tags": ["generated", *([_slug(draft.term)] if draft.term else [])],
        "explanation": draft.explanation,
        "course_id": course_id,
        "source": draft.source.model_dump(mode="json"),
    }


def _question_fields(draft: QuestionDraft, order: int) -> dict[str, Any]:
    correct = {draft.correct_answer.strip().lower()}
    if draft.question_type == "short_answer":
        correct = {o.strip().lower() for o in draft.options}
    options = [
        {"id": str(uuid4()), "text": text, "is_correct": text.strip().lower() in correct}
        for text in draft.options
    ]
    return {
        "question_text": draft.question_text,
        "question_type": draft.question_type,
        "points": 1,
        "explanation": draft.explanation,
        "order": order,
        "options": options,
        "source": draft.source.model_dump(mode="json"),
    }


def _slug(text: str) -> str:
    return "_".join(text.lower().split())


def store_generated_content(cmd: StoreGeneratedContent, uow: UnitOfWork) -> dict[str, Any]:
    assessment = load_assessment(uow, cmd.assessment_id, cmd.owner_id)
    now = uow.services.clock.now()
    cards = [
        Flashcard.create(cmd.owner_id, _card_fields(d, assessment.course_id), now=now,
                         scheduler=cmd.scheduler)
        for d in cmd.cards
    ]  # fmt: skip
    quiz: Quiz | None = None
    if cmd.questions:
        quiz = Quiz.create(cmd.owner_id, assessment.course_id, {
            "title": cmd.quiz_title, "quiz_type": "assessment",
            "description": f"Generated for the assessment “{assessment.fields.get('title')}”.",
        })  # fmt: skip
        for order, draft in enumerate(cmd.questions):
            quiz.add_question(uuid4(), _question_fields(draft, order))
    record = _record(cmd, cards, quiz)
    assessment.record_generated(record)
    made: list[Aggregate] = [assessment, *cards, *([quiz] if quiz else [])]
    uow.save(*made, *meter_tokens(uow, cmd.owner_id, cmd.tokens_used, "generation", now))
    return record


def _record(cmd: StoreGeneratedContent, cards: list[Flashcard], quiz: Quiz | None
            ) -> dict[str, Any]:  # fmt: skip
    flashcards = [
        {"id": str(card.id), **draft.model_dump(mode="json", exclude={"term"})}
        for card, draft in zip(cards, cmd.cards, strict=True)
    ]
    questions = [
        {
            **draft.model_dump(mode="json", exclude={"term", "confidence"}),
            "id": str(qid),
            "options": [] if draft.question_type == "short_answer" else list(draft.options),
        }
        for qid, draft in zip(quiz.questions if quiz else [], cmd.questions, strict=True)
    ]
    return {
        "flashcards": {
            "count": len(flashcards),
            "flashcards": flashcards,
            "confidence": cmd.confidence.get("flashcards", 0.0),
        },
        "quiz": {
            "quiz_id": str(quiz.id) if quiz else None,
            "title": cmd.quiz_title,
            "question_count": len(questions),
            "questions": questions,
            "confidence": cmd.confidence.get("quiz", 0.0),
        },
        "agent_metadata": cmd.agent_metadata,
        "warnings": list(cmd.warnings),
    }


HANDLERS: dict[type[Any], Handler] = {StoreGeneratedContent: store_generated_content}
