"""Asking the tutor: the checks, the passages and history, the quota, then the answer stored.

The model is asked here, not in the handler, which the bus may retry: a retry must not ask
(and bill) the model again.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from uuid import UUID

from sqlalchemy.engine import Connection

from aksio.commands.chat import RecordExchange
from aksio.commands.services import Services
from aksio.core.errors import InvalidState
from aksio.integrations.llm.conversation import Prepared, Tutor, context_used
from aksio.integrations.llm.models import ChatDelta, ChatReply
from aksio.projections import billing as billing_queries
from aksio.usecases.ownership import own_chat, own_documents
from aksio.usecases.ports import Admits, Runs


@dataclass(frozen=True, kw_only=True)
class Question:
    """A message to the tutor (validated by the caller)."""

    content: str
    message_type: str = "question"
    context_documents: list[UUID] = field(default_factory=list)
    include_course_context: bool = True


@dataclass(frozen=True)
class Exchange:
    """A question ready for the model, and how to store the answer it gets."""

    user: UUID
    chat_id: UUID
    question: Question
    prepared: Prepared
    asked_at: datetime
    began: float

    def record(self, reply: ChatReply) -> RecordExchange:
        """The command that stores the question and `reply`."""
        question = self.question
        asked = {"content": question.content, "message_type": question.message_type,
                 "context_documents": [str(d) for d in question.context_documents]}  # fmt: skip
        answer = {"content": reply.content, "ai_model_used": reply.model,
                  "token_count": reply.usage.completion_tokens,
                  "prompt_tokens": reply.usage.prompt_tokens,
                  "processing_time_ms": round((time.perf_counter() - self.began) * 1000),
                  "context_used": context_used(self.prepared, reply)}  # fmt: skip
        return RecordExchange(owner_id=self.user, chat_id=self.chat_id, question=asked,
                              answer=answer, asked_at=self.asked_at,
                              tokens_used=reply.usage.total)  # fmt: skip


def prepare(
    reads: Connection, services: Services, limiter: Admits, *,
    user: UUID, chat_id: UUID, question: Question, now: datetime,
) -> Exchange:  # fmt: skip
    """Refuses an archived or foreign chat, foreign documents, the rate limit and the quota
    before the model is asked; then gathers what the answer draws on."""
    chat = own_chat(reads, user, chat_id)
    if chat["status"] != "active":
        raise InvalidState("This chat is archived; restore it to continue.")
    # Checked here too: the handler checks only after the model has read them.
    own_documents(reads, user, question.context_documents)
    limiter.check("ai", user)
    prepared = Tutor(reads, services.retriever).prepare(user, chat, asdict(question), now)
    billing_queries.check_quota(reads, user, "ai_tokens", prepared.prompt_tokens, now)
    return Exchange(user, chat_id, question, prepared, now, time.perf_counter())


def answer(exchange: Exchange, services: Services, bus: Runs) -> tuple[UUID, UUID]:
    """Asks the model and stores the exchange: the ids of the question and the answer."""
    return bus.run(exchange.record(services.llm.chat(exchange.prepared.request)))


def stream_answer(exchange: Exchange, services: Services) -> Iterator[ChatDelta]:
    """The answer's pieces as the model makes them; the last carries the whole reply, to
    store with `exchange.record`. A model that fails at once raises here, before any piece."""
    deltas = services.llm.stream_chat(exchange.prepared.request)
    first = next(deltas)
    return itertools.chain([first], deltas)
