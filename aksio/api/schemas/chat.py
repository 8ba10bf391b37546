"""Chat, message, context and tutoring-session schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import MISSING, AliasChoices, BaseModel, Field

from aksio.api.schemas.common import Id, IsoDateTime, Strict

ChatType = Literal["study", "tutoring", "general"]
MessageType = Literal["question", "explanation", "example", "problem", "clarification", "general"]
Priority = Literal["high", "medium", "low"]
SessionType = Literal["practice", "review", "explanation", "exam_prep", "homework_help", "general"]
Level = Literal["beginner", "intermediate", "advanced"]


def _course() -> Any:
    return Field(default=None, validation_alias=AliasChoices("course", "course_id"))


class ChatCreate(Strict):
    title: str = Field(default="New chat", min_length=1, max_length=200)
    course: Id | None = None
    chat_type: ChatType = "study"
    ai_model: str | None = Field(
        default=None, max_length=100, description="Kept as the chat's preference; the "
        "configured provider's model answers and is named in `ai_model_used`.",
    )  # fmt: skip
    temperature: float = Field(default=0.7, ge=0, le=2)
    system_prompt: str | None = Field(default=None, max_length=10_000)
    is_favorite: bool = False
    is_pinned: bool = False


class ChatUpdate(Strict):
    """Fields left out stay; null clears `ai_model` or `system_prompt`."""

    title: str | MISSING = Field(default=MISSING, min_length=1, max_length=200)
    status: Literal["active", "archived"] | MISSING = MISSING
    is_favorite: bool | MISSING = MISSING
    is_pinned: bool | MISSING = MISSING
    ai_model: str | MISSING | None = Field(default=MISSING, max_length=100)
    temperature: float | MISSING = Field(default=MISSING, ge=0, le=2)
    system_prompt: str | MISSING | None = Field(default=MISSING, max_length=10_000)


class ChatOut(BaseModel):
    id: UUID
    title: str
    course: UUID | None = _course()
    chat_type: str
    ai_model: str | None
    temperature: float
    system_prompt: str | None
    status: str
    is_favorite: bool
    is_pinned: bool
    message_count: int
    total_tokens: int = Field(description="Prompt and response tokens of its answers.")
    last_message_at: datetime | None
    created_at: datetime
    updated_at: datetime


class SendMessage(Strict):
    content: str = Field(min_length=1, max_length=10_000)
    message_type: MessageType = "question"
    context_documents: list[Id] = Field(
        default_factory=list, max_length=50,
        description="Your documents to answer from; another user's is 404.",
    )  # fmt: skip
    include_course_context: bool = Field(
        default=True, description="Also search the documents of the chat's course."
    )


class Citation(BaseModel):
    document_id: UUID | None
    document_name: str | None
    page: int | None
    section: str | None
    excerpt: str


class ContextUsed(BaseModel):
    documents_referenced: list[UUID] = Field(default_factory=list)
    course_concepts: list[str] = Field(default_factory=list)
    passages: list[Citation] = Field(default_factory=list, description="The passages cited.")
    contexts_applied: list[UUID] = Field(default_factory=list)
    history_messages: int = Field(default=0, description="Earlier messages given as history.")


class MessageOut(BaseModel):
    id: UUID
    role: str
    message_type: str
    content: str
    created_at: datetime


class ResponseOut(MessageOut):
    ai_model_used: str | None
    token_count: int = Field(description="Tokens of the response.")
    prompt_tokens: int = Field(description="Tokens of the prompt it answered.")
    processing_time_ms: int | None
    context_used: ContextUsed | None
    reply_to: UUID | None


class ChatMessageOut(MessageOut):
    """A message of either role; the assistant's fields are null on the user's messages."""

    reply_to: UUID | None = None
    context_documents: list[UUID] = Field(default_factory=list)
    ai_model_used: str | None = None
    token_count: int = 0
    prompt_tokens: int = 0
    processing_time_ms: int | None = None
    context_used: ContextUsed | None = None


class ExchangeOut(BaseModel):
    user_message: MessageOut
    ai_response: ResponseOut


class ContextCreate(Strict):
    context_type: Literal["document", "note", "topic", "instruction"] = "document"
    content: str | None = Field(default=None, max_length=10_000)
    document_ids: list[Id] = Field(default_factory=list, max_length=50)
    priority: Priority = "medium"
    expiration_date: IsoDateTime | None = None


class ContextOut(BaseModel):
    id: UUID
    chat_id: UUID
    context_type: str
    content: str | None
    document_ids: list[UUID]
    priority: str
    expiration_date: datetime | None
    created_at: datetime
    updated_at: datetime


class TypeCount(BaseModel):
    chat_type: str
    count: int


class LearningInsights(BaseModel):
    concepts_discussed: int = Field(description="Distinct concepts named in answers.")
    problems_solved: int = Field(description="Answers to messages of type `problem`.")
    questions_answered: int = Field(description="Answers to messages of type `question`.")
    knowledge_gaps_identified: int = Field(
        description="Distinct areas for improvement named by completed tutoring sessions."
    )


class ChatStats(BaseModel):
    total_chats: int
    active_chats: int
    total_messages: int
    total_tokens_used: int
    average_response_time_ms: int
    favorite_chats: int
    pinned_chats: int
    by_type: list[TypeCount]
    learning_insights: LearningInsights


class SessionFields(Strict):
    session_type: SessionType = "practice"
    learning_objectives: list[str] = Field(default_factory=list, max_length=50)
    estimated_duration_minutes: int | None = Field(default=None, ge=1, le=1440)
    difficulty_level: Level | None = None


class SessionCreate(SessionFields):
    title: str = Field(min_length=1, max_length=200)
    course: Id | None = None


class SessionUpdate(Strict):
    """Fields left out stay; null clears the duration estimate or the level."""

    title: str | MISSING = Field(default=MISSING, min_length=1, max_length=200)
    session_type: SessionType | MISSING = MISSING
    learning_objectives: list[str] | MISSING = Field(default=MISSING, max_length=50)
    estimated_duration_minutes: int | MISSING | None = Field(default=MISSING, ge=1, le=1440)
    difficulty_level: Level | MISSING | None = MISSING


class SessionComplete(Strict):
    objectives_achieved: list[str] = Field(default_factory=list, max_length=50)
    concepts_mastered: list[str] = Field(default_factory=list, max_length=50)
    areas_for_improvement: list[str] = Field(default_factory=list, max_length=50)
    user_satisfaction: int | None = Field(default=None, ge=1, le=5)
    learning_effectiveness: int | None = Field(default=None, ge=1, le=5)
    session_notes: str | None = Field(default=None, max_length=10_000)


class SessionOut(BaseModel):
    id: UUID
    course: UUID | None = _course()
    title: str
    session_type: str
    learning_objectives: list[str]
    estimated_duration_minutes: int | None
    difficulty_level: str | None
    status: str = Field(description="`planned`, `in_progress` or `completed`.")
    started_at: datetime | None
    completed_at: datetime | None
    duration_minutes: int | None
    objectives_achieved: list[str]
    concepts_mastered: list[str]
    areas_for_improvement: list[str]
    user_satisfaction: int | None
    learning_effectiveness: int | None
    session_notes: str | None
    created_at: datetime
    updated_at: datetime
