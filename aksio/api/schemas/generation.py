"""Schemas of `generate_content/`."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from aksio.aggregates.flashcards.flashcard import Difficulty
from aksio.api.schemas.common import Id, Strict


class GenerateRequest(Strict):
    topic: str | None = Field(default=None, max_length=200)
    content: str | None = Field(
        default=None, max_length=50_000,
        description="What to focus on; text with full sentences is also used as material.",
    )  # fmt: skip
    document_ids: list[Id] = Field(
        default_factory=list, max_length=50,
        description="Your processed documents; none: the course's documents matching the topic.",
    )  # fmt: skip
    use_adaptive: bool = Field(
        default=False, description="Adapt difficulty and focus to your results in the course."
    )
    flashcard_count: int = Field(default=10, ge=0, le=100)
    quiz_questions: int = Field(default=5, ge=0, le=50)
    difficulty_level: Difficulty = "medium"


class SourceOut(BaseModel):
    document_id: UUID | None
    document_name: str | None
    page: int | None
    section: str | None
    excerpt: str = Field(description="The sentence or passage it was made from.")


class GeneratedCard(BaseModel):
    id: UUID
    question: str
    answer: str
    difficulty_level: str
    confidence: float
    explanation: str | None
    source: SourceOut


class GeneratedQuestion(BaseModel):
    id: UUID
    question_text: str
    question_type: str
    options: list[str]
    correct_answer: str
    difficulty_level: str
    explanation: str | None
    source: SourceOut


class CardsOut(BaseModel):
    count: int
    flashcards: list[GeneratedCard]
    confidence: float


class QuizOut(BaseModel):
    quiz_id: UUID | None
    title: str
    question_count: int
    questions: list[GeneratedQuestion]
    confidence: float


class GeneratedContent(BaseModel):
    flashcards: CardsOut
    quiz: QuizOut


class GenerationOut(BaseModel):
    message: str
    assessment_id: UUID
    status: str
    generated_content: GeneratedContent
    agent_metadata: dict[str, Any]
    warnings: list[str] = Field(description="Why fewer items were made than asked, if so.")
