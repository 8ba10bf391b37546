"""Assessment schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import MISSING, AliasChoices, BaseModel, Field

from aksio.api.schemas.common import Id, Strict


class AssessmentCreate(Strict):
    course: Id
    title: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=10_000)


class AssessmentUpdate(Strict):
    title: str | MISSING = Field(default=MISSING, min_length=1, max_length=200)
    description: str | MISSING | None = Field(
        default=MISSING, max_length=10_000, description="null clears it."
    )


class AssessmentOut(BaseModel):
    id: UUID
    course: UUID = Field(validation_alias=AliasChoices("course", "course_id"))
    title: str
    description: str | None
    status: str = Field(description="`pending` until content is generated, then `completed`.")
    generated_content: dict[str, Any] | None = Field(
        description="What `generate_content/` made (flashcards, quiz); null before."
    )
    created_at: datetime
    updated_at: datetime
