"""AI generation of an assessment's flashcards and quiz from the user's own documents."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter

from aksio.api.deps import Bus, CurrentUser, Now, Reads, SystemDep
from aksio.api.schemas.common import ERRORS
from aksio.api.schemas.generation import GenerateRequest, GenerationOut
from aksio.usecases import generation
from aksio.usecases.generation import GenerationAsk

router = APIRouter(prefix="/api/v1/assessments", tags=["assessments"], responses=ERRORS)


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
    ask = GenerationAsk(**body.model_dump())
    record = generation.generate_content(
        reads, system.services, system.limiter, bus,
        user=user, assessment_id=assessment_id, ask=ask, now=now,
    )  # fmt: skip
    return {
        "message": "Content generation completed",
        "assessment_id": assessment_id,
        "status": "completed",
        "generated_content": {"flashcards": record["flashcards"], "quiz": record["quiz"]},
        "agent_metadata": record["agent_metadata"],
        "warnings": record["warnings"],
    }
