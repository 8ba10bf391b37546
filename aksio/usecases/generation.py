"""Generating an assessment's flashcards and quiz: passages, quota, the model, then one command.

The model is asked here, not in the handler, which the bus may retry: a retry must not ask
(and bill) the model again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy.engine import Connection

from aksio.aggregates.flashcards.flashcard import DIFFICULTIES, Difficulty
from aksio.commands.generation import StoreGeneratedContent
from aksio.commands.services import Services
from aksio.core.errors import InvalidState, NotFound
from aksio.integrations.llm.models import (
    Generated,
    GenerationRequest,
    Material,
    PassageLike,
    count_tokens,
)
from aksio.integrations.llm.planning import adapt, mix
from aksio.projections import assessments as assessment_queries
from aksio.projections import billing as billing_queries
from aksio.projections.chat import queries as chat_queries
from aksio.projections.documents.chunks import document_passages
from aksio.projections.documents.projection import get_document
from aksio.usecases.ports import Admits, Runs
from aksio.usecases.scheduling import scheduler_for

COURSE_PASSAGES = 60
MIN_MATERIAL_WORDS = 25  # `content` this long, in sentences, is material as well as focus


@dataclass(frozen=True, kw_only=True)
class GenerationAsk:
    """What the user asked for (validated by the caller)."""

    topic: str | None = None
    content: str | None = None
    document_ids: list[UUID] = field(default_factory=list)
    use_adaptive: bool = False
    flashcard_count: int = 10
    quiz_questions: int = 5
    difficulty_level: Difficulty = "medium"


def _passages(reads: Connection, services: Services, user: UUID, course_id: UUID,
              ask: GenerationAsk) -> list[PassageLike]:  # fmt: skip
    """The named documents' passages (each must be yours and processed), else the course's."""
    for document_id in ask.document_ids:
        row = get_document(reads, user, document_id)
        if row is None:
            raise NotFound("Document")
        if row["processing_status"] != "completed":
            raise InvalidState(f"Document {document_id} has no processed text (yet).")
    found: list[PassageLike] = []
    if ask.document_ids:
        found.extend(document_passages(reads, user, ask.document_ids))
    elif ask.topic or ask.content:
        query = " ".join(t for t in (ask.topic, ask.content) if t)
        found.extend(services.retriever.retrieve(
            user, query, course_id=course_id, max_chunks=COURSE_PASSAGES))  # fmt: skip
    content = ask.content or ""
    if len(content.split()) >= MIN_MATERIAL_WORDS and "." in content:
        found.append(Material(content))
    return found


def _warnings(ask: GenerationAsk, made: Generated, material: int) -> list[str]:
    warnings = []
    if not material:
        warnings.append(
            "No processed text was found to generate from: name processed documents in "
            "`document_ids`, or a topic that the course's documents cover."
        )
    for made_count, asked, what in (
        (len(made.flashcards), ask.flashcard_count, "flashcards"),
        (len(made.questions), ask.quiz_questions, "quiz questions"),
    ):
        if made_count < asked:
            warnings.append(
                f"Only {made_count} of the {asked} {what} asked for could be made from the "
                "material given; add documents or widen the topic for more."
            )
    return warnings


def _spread(levels: list[str]) -> dict[str, int]:
    return {level: levels.count(level) for level in DIFFICULTIES}


def _confidence(values: list[float]) -> float:
    return round(sum(values) / len(values), 2) if values else 0.0


def _metadata(made: Generated, elapsed_ms: int, adjustments: dict[str, Any], passages: int
              ) -> dict[str, Any]:  # fmt: skip
    """What the agents did: timings, topics found, the difficulty spread, adaptive changes."""
    analysis = {"topics_identified": made.topics,
                "difficulty_distribution": _spread([c.difficulty_level for c in made.flashcards]),
                "passages_read": passages}  # fmt: skip
    return {
        "model": made.model,
        "flashcard_generation": {"agent_used": "FlashcardGenerationAgent",
                                 "processing_time_ms": elapsed_ms, "content_analysis": analysis},
        "quiz_generation": {"agent_used": "QuizGenerationAgent", "processing_time_ms": elapsed_ms,
                            "difficulty_distribution": _spread(
                                [q.difficulty_level for q in made.questions]),
                            "adaptive_adjustments": adjustments},
        "token_usage": {"prompt_tokens": made.usage.prompt_tokens,
                        "completion_tokens": made.usage.completion_tokens,
                        "total_tokens": made.usage.total},
    }  # fmt: skip


def generate_content(
    reads: Connection, services: Services, limiter: Admits, bus: Runs, *,
    user: UUID, assessment_id: UUID, ask: GenerationAsk, now: datetime,
) -> dict[str, Any]:  # fmt: skip
    """Generates and stores the cards and quiz; returns the record kept on the assessment."""
    assessment = assessment_queries.get_assessment(reads, user, assessment_id)
    if assessment is None:
        raise NotFound("Assessment")
    limiter.check("ai", user)
    course_id = assessment["course_id"]
    passages = _passages(reads, services, user, course_id, ask)
    level, adjustments = ask.difficulty_level, dict[str, Any](applied=False)
    if ask.use_adaptive:
        performance = chat_queries.course_performance(reads, user, course_id)
        level, adjustments = adapt(ask.difficulty_level, performance)
    estimate = count_tokens(" ".join(p.text for p in passages)) + 50 * ask.flashcard_count
    billing_queries.check_quota(reads, user, "ai_tokens", estimate, now)
    request = GenerationRequest(
        topic=ask.topic, instructions=ask.content, passages=passages,
        card_mix=mix(ask.flashcard_count, level), question_mix=mix(ask.quiz_questions, level),
        focus_terms=adjustments.get("focus_areas") or [],
    )  # fmt: skip
    began = time.perf_counter()
    made = services.llm.generate(request)
    elapsed_ms = round((time.perf_counter() - began) * 1000)
    return bus.run(
        StoreGeneratedContent(
            owner_id=user, assessment_id=assessment_id, cards=tuple(made.flashcards),
            questions=tuple(made.questions), quiz_title=f"{ask.topic or assessment['title']} Quiz",
            scheduler=scheduler_for(reads, user, course_id),
            tokens_used=made.usage.total,
            agent_metadata=_metadata(made, elapsed_ms, adjustments, len(passages)),
            warnings=tuple(_warnings(ask, made, len(passages))),
            confidence={"flashcards": _confidence([c.confidence for c in made.flashcards]),
                        "quiz": _confidence([q.confidence for q in made.questions])},
        )
    )  # fmt: skip
