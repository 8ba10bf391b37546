"""What the OpenAI-compatible adapter sends: numbered passages, instructions, reply schemas.

The model answers generation with JSON that `GenerationOut` validates; each
item names the number of the passage it came from, which becomes its `source`.
Chat answers are text citing passages as [1], [2].
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field

from aksio.aggregates.flashcards.flashcard import Difficulty
from aksio.integrations.llm.models import (
    ChatRequest,
    GenerationRequest,
    PassageLike,
    QuestionKind,
    Source,
)

CITATION = re.compile(r"\[(\d{1,3})\]")
MAX_PASSAGE_CHARS = 2000
MAX_SUMMARY_INPUT_CHARS = 12_000  # of a document's text sent to be summarised
TUTOR = (
    "You are a patient tutor. Answer from the numbered passages of the student's own "
    "documents, citing them as [1], [2]. When they do not hold the answer, say so."
)


class CardOut(BaseModel):
    question: str = Field(min_length=3)
    answer: str = Field(min_length=1)
    difficulty_level: Difficulty
    passage: int = Field(ge=1, description="Number of the passage it comes from.")
    explanation: str | None = None


class QuestionOut(BaseModel):
    question_text: str = Field(min_length=3)
    question_type: QuestionKind
    options: list[str] = Field(description="Choices; True and False; or accepted answers.")
    correct_answer: str = Field(min_length=1)
    difficulty_level: Difficulty
    passage: int = Field(ge=1)
    explanation: str | None = None


class GenerationOut(BaseModel):
    flashcards: list[CardOut]
    questions: list[QuestionOut]
    topics: list[str] = Field(default_factory=list)


def numbered(passages: Sequence[PassageLike]) -> str:
    blocks = []
    for number, passage in enumerate(passages, start=1):
        label = Source.of(passage, "").label()
        blocks.append(f"[{number}] ({label})\n{passage.text[:MAX_PASSAGE_CHARS]}")
    return "\n\n".join(blocks)


def _mix(mix: dict[Difficulty, int]) -> str:
    return ", ".join(f"{count} {level}" for level, count in mix.items() if count)


def generation_messages(request: GenerationRequest) -> list[dict[str, Any]]:
    cards, questions = sum(request.card_mix.values()), sum(request.question_mix.values())
    focus = "; ".join(t for t in (request.topic, request.instructions, *request.focus_terms) if t)
    task = (
        f"Write {cards} flashcards ({_mix(request.card_mix) or 'none'}) and {questions} quiz "
        f"questions ({_mix(request.question_mix) or 'none'}) from the passages below"
        + (f", focusing on: {focus}" if focus else "")
        + ". Every answer must be stated in the passage you cite by number. Questions are "
        "multiple_choice (4 options, one correct, wrong options are other terms of the same "
        "material), true_false (options True and False) or short_answer (options are the "
        "accepted answers). No two items may ask the same thing."
    )
    return [
        {"role": "system", "content": "You write study material as JSON that fits the schema."},
        {"role": "user", "content": f"{task}\n\nPassages:\n\n{numbered(request.passages)}"},
    ]


def summary_messages(text: str, max_words: int) -> list[dict[str, Any]]:
    """Asks for a summary, topics and key concepts of the start of a document."""
    task = (
        f"Summarise the document below in at most {max_words} words, using only what it says. "
        "List up to 8 topics (single lowercase words) and up to 8 key concepts (lowercase "
        "snake_case phrases such as chain_rule) that it teaches."
    )
    excerpt = text[:MAX_SUMMARY_INPUT_CHARS]
    return [
        {"role": "system", "content": "You describe study documents as JSON that fits the schema."},
        {"role": "user", "content": f"{task}\n\nDocument:\n\n{excerpt}"},
    ]


def chat_messages(request: ChatRequest) -> list[dict[str, Any]]:
    system = "\n\n".join(
        part
        for part in (
            request.system_prompt or "",
            TUTOR,
            "Notes for this chat:\n" + "\n".join(f"- {n}" for n in request.notes)
            if request.notes
            else "",
            "Passages:\n\n" + numbered(request.passages) if request.passages else "",
        )
        if part
    )
    messages: list[dict[str, Any]] = [{"role": "system", "content": system}]
    messages += [{"role": t.role, "content": t.content} for t in request.history]
    messages.append({"role": "user", "content": request.message})
    return messages


def cited(content: str, passages: int) -> list[int]:
    """Indexes of the passages cited as [n] in an answer."""
    numbers = {int(m) for m in CITATION.findall(content)}
    return sorted(n - 1 for n in numbers if 1 <= n <= passages)
