"""The language-model port: what generation and chat ask of a model, and what they get back.

Adapters (`offline`, `openai`) take passages retrieved from the user's own
documents and answer with drafts that name the passage they came from, so
every card, question and chat answer can cite its source.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from aksio.aggregates.flashcards.flashcard import Difficulty

QuestionKind = Literal["multiple_choice", "true_false", "short_answer"]
_TOKEN = re.compile(r"[A-Za-z]+|\d|[^\sA-Za-z\d]")
REFERRING = frozenset({"it", "its", "that", "this", "they", "them", "those", "these", "he", "she"})


def count_tokens(text: str) -> int:
    """An estimate of a BPE tokenizer's count: long words take more than one token."""
    return sum(1 + len(piece) // 7 for piece in _TOKEN.findall(text))


class PassageLike(Protocol):
    """A retrieved passage (see `aksio.integrations.retrieval.Passage`)."""

    @property
    def document_id(self) -> UUID | None: ...
    @property
    def document_name(self) -> str | None: ...
    @property
    def chunk_index(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def page(self) -> int | None: ...
    @property
    def section(self) -> str | None: ...
    @property
    def score(self) -> float: ...


@dataclass(frozen=True)
class Material:
    """Text given in the request itself (`content` of generation), cited as such."""

    text: str
    document_id: UUID | None = None
    document_name: str | None = "Request content"
    chunk_index: int = 0
    page: int | None = None
    section: str | None = None
    score: float = 1.0


class Source(BaseModel):
    """Where a card, question or quote came from, so a student can check it."""

    document_id: UUID | None
    document_name: str | None
    page: int | None = None
    section: str | None = None
    excerpt: str

    @classmethod
    def of(cls, passage: PassageLike, excerpt: str) -> Source:
        return cls(
            document_id=passage.document_id,
            document_name=passage.document_name,
            page=passage.page,
            section=passage.section,
            excerpt=excerpt,
        )

    def label(self) -> str:
        name = self.document_name or "your material"
        if self.page is not None:
            return f"{name}, page {self.page}"
        return f"{name}, section “{self.section}”" if self.section else name


class CardDraft(BaseModel):
    question: str
    answer: str
    difficulty_level: Difficulty
    confidence: float = Field(ge=0, le=1)
    explanation: str | None = None
    term: str | None = None
    source: Source


class QuestionDraft(BaseModel):
    question_text: str
    question_type: QuestionKind
    options: list[str]
    correct_answer: str
    difficulty_level: Difficulty
    confidence: float = Field(ge=0, le=1)
    explanation: str | None = None
    term: str | None = None
    source: Source


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
        )


@dataclass(frozen=True)
class GenerationRequest:
    """`card_mix` and `question_mix` give how many items of each difficulty to make."""

    topic: str | None
    instructions: str | None
    passages: Sequence[PassageLike]
    card_mix: dict[Difficulty, int]
    question_mix: dict[Difficulty, int]
    focus_terms: Sequence[str] = ()


@dataclass(frozen=True)
class Generated:
    flashcards: list[CardDraft]
    questions: list[QuestionDraft]
    topics: list[str]
    usage: Usage
    model: str


@dataclass(frozen=True)
class ChatTurn:
    role: Literal["user", "assistant"]
    content: str


@dataclass(frozen=True)
class ChatRequest:
    message: str
    passages: Sequence[PassageLike]
    history: Sequence[ChatTurn] = ()
    system_prompt: str | None = None
    notes: Sequence[str] = ()  # the chat's added contexts, most important first
    temperature: float = 0.7
    message_type: str = "question"


@dataclass(frozen=True)
class ChatReply:
    content: str
    cited: list[int]  # indexes into the request's passages
    concepts: list[str]
    usage: Usage
    model: str
    excerpts: dict[int, str] = field(default_factory=dict)  # what was quoted of each passage


@dataclass(frozen=True)
class ChatDelta:
    """A piece of a streamed answer; the last one carries the whole reply."""

    text: str
    reply: ChatReply | None = None


class DocumentSummary(BaseModel):
    """What a model says a whole document is about, shown with the document's content."""

    model_config = ConfigDict(str_strip_whitespace=True)
    summary: str = Field(min_length=1)
    topics: list[str] = Field(default_factory=list)
    key_concepts: list[str] = Field(default_factory=list)


class LanguageModel(Protocol):
    name: str

    def summarize(self, text: str, *, max_words: int) -> DocumentSummary | None:
        """The document's summary, topics and key concepts; None when the model offers none."""
        ...

    def generate(self, request: GenerationRequest) -> Generated: ...

    def chat(self, request: ChatRequest) -> ChatReply: ...

    def stream_chat(self, request: ChatRequest) -> Iterator[ChatDelta]: ...
