"""AI generation of an assessment's flashcards and quiz from the user's own documents."""

from __future__ import annotations

import time
from typing import Any
from uuid import UUID

from fastapi import APIRouter
from sqlalchemy.engine import Connection

from aksio.api.deps import Bus, CurrentUser, Now, Reads, SystemDep
from aksio.api.routes.flashcards import scheduler_for
from aksio.api.schemas.common import ERRORS
from aksio.api.schemas.generation import GenerateRequest, GenerationOut
from aksio.commands.generation import StoreGeneratedContent
from aksio.core.errors import InvalidState, NotFound
from aksio.integrations.llm.models import (
    Generated,
    GenerationRequest,
    LanguageModel,
    Material,
    PassageLike,
    count_tokens,
)
from aksio.integrations.llm.planning import adapt, mix
from aksio.projections import assessments as assessment_queries
from aksio.projections import billing as billing_queries
from aksio.projections import chat_queries
from aksio.projections.documents import get_document
from aksio.projections.documents_chunks import document_passages

router = APIRouter(prefix="/api/v1/assessments", tags=["assessments"], responses=ERRORS)
COURSE_PASSAGES = 60
MIN_MATERIAL_WORDS = 25  # `content` this long, in sentences, is material as well as focus


def _passages(reads: Connection, system: SystemDep, user: UUID, course_id: UUID,
              body: GenerateRequest) -> list[PassageLike]:  # fmt: skip
    """The named documents' passages (each must be yours and processed), else the course's."""
    for document_id in body.document_ids:
        row = get_document(reads, user, document_id)
        if row is None:
            raise NotFound("Document")
        if row["processing_status"] != "completed":
            raise InvalidState(f"Document {document_id} has no processed text (yet).")
    found: list[PassageLike] = []
    if body.document_ids:
        found.extend(document_passages(reads, user, body.document_ids))
    elif body.topic or body.content:
        query = " ".join(t for t in (body.topic, body.content) if t)
        found.extend(system.services.retriever.retrieve(
            user, query, course_id=course_id, max_chunks=COURSE_PASSAGES))  # fmt: skip
    content = body.content or ""
    if len(content.split()) >= MIN_MATERIAL_WORDS and "." in content:
        found.append(Material(content))
    return found


def _warnings(body: GenerateRequest, made: Generated, material: int) -> list[str]:
    warnings = []
    if not material:
        warnings.append(
            "No processed text was found to generate from: name processed documents in "
            "`document_ids`, or a topic that the course's documents cover."
        )
    for made_count, asked, what in (
        (len(made.flashcards), body.flashcard_count, "flashcards"),
        (len(made.questions), body.quiz_questions, "quiz questions"),
    ):
        if made_count < asked:
            warnings.append(
                f"Only {made_count} of the {asked} {what} asked for could be made from the "
                "material given; add documents or widen the topic for more."
            )
    return warnings


def _spread(levels: list[str]) -> dict[str, int]:
    return {level: levels.count(level) for level in ("easy", "medium", "hard")}


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


@router.post(
    "/{assessment_id}/generate_content/",
    response_model=GenerationOut,
    responses={403: ERRORS[401], 503: ERRORS[401]},
)
def generate_content(
    assessment_id: UUID, body: GenerateRequest, user: CurrentUser, system: SystemDep,
    bus: Bus, reads: Reads, now: Now,
) -> dict[str, Any]:  # fmt: skip
    """Generate flashcards and a quiz from your documents; 503 if the model fails (none stored)."""
    assessment = assessment_queries.get_assessment(reads, user, assessment_id)
    if assessment is None:
        raise NotFound("Assessment")
    system.limiter.check("ai", user)
    passages = _passages(reads, system, user, assessment["course_id"], body)
    level, adjustments = body.difficulty_level, dict[str, Any](applied=False)
    if body.use_adaptive:
        performance = chat_queries.course_performance(reads, user, assessment["course_id"])
        level, adjustments = adapt(body.difficulty_level, performance)
    estimate = count_tokens(" ".join(p.text for p in passages)) + 50 * body.flashcard_count
    billing_queries.check_quota(reads, user, "ai_tokens", estimate, now)
    llm: LanguageModel = system.services.llm
    request = GenerationRequest(
        topic=body.topic, instructions=body.content, passages=passages,
        card_mix=mix(body.flashcard_count, level), question_mix=mix(body.quiz_questions, level),
        focus_terms=adjustments.get("focus_areas") or [],
    )  # fmt: skip
    began = time.perf_counter()
    made = llm.generate(request)
    elapsed_ms = round((time.perf_counter() - began) * 1000)
    record = bus.run(
        StoreGeneratedContent(
            owner_id=user, assessment_id=assessment_id, cards=tuple(made.flashcards),
            questions=tuple(made.questions), quiz_title=f"{body.topic or assessment['title']} Quiz",
            scheduler=scheduler_for(reads, user, assessment["course_id"]),
            tokens_used=made.usage.total,
            agent_metadata=_metadata(made, elapsed_ms, adjustments, len(passages)),
            warnings=tuple(_warnings(body, made, len(passages))),
            confidence={"flashcards": _confidence([c.confidence for c in made.flashcards]),
                        "quiz": _confidence([q.confidence for q in made.questions])},
        )
    )  # fmt: skip
    return {
        "message": "Content generation completed",
        "assessment_id": assessment_id,
        "status": "completed",
        "generated_content": {"flashcards": record["flashcards"], "quiz": record["quiz"]},
        "agent_metadata": record["agent_metadata"],
        "warnings": record["warnings"],
    }
