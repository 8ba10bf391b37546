"""Preparing a tutor's answer: the passages to draw on, the history to continue, the notes to heed.

Passages come, in this order of precedence, from the documents named with the
message, from the chat's unexpired contexts (high priority first) and from the
chat's course; only the caller's own documents are ever searched. History is
the latest messages that fit a token budget.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy.engine import Connection

from aksio.integrations.llm.mining import content_words
from aksio.integrations.llm.models import (
    REFERRING,
    ChatReply,
    ChatRequest,
    ChatTurn,
    count_tokens,
)
from aksio.integrations.retrieval import Passage, Retriever
from aksio.projections.chat import queries as chat_queries
from aksio.projections.documents.chunks import document_passages

HISTORY_BUDGET = 1500  # tokens of earlier messages given to the model
HISTORY_MESSAGES = 30
MAX_PASSAGES = 6
EXCERPT_CHARS = 300


@dataclass(frozen=True)
class Prepared:
    request: ChatRequest
    contexts: list[UUID]

    @property
    def prompt_tokens(self) -> int:
        parts = [self.request.message, *(p.text for p in self.request.passages)]
        parts += [t.content for t in self.request.history]
        return count_tokens(" ".join(parts))


def within_budget(turns: Sequence[dict[str, Any]], budget: int) -> list[ChatTurn]:
    """The latest turns whose tokens fit `budget`, oldest first."""
    kept: list[ChatTurn] = []
    for turn in reversed(turns):
        cost = count_tokens(turn["content"])
        if cost > budget or turn["role"] not in ("user", "assistant"):
            break
        budget -= cost
        kept.append(ChatTurn(turn["role"], turn["content"]))
    return list(reversed(kept))


def search_text(message: str, history: Sequence[ChatTurn]) -> str:
    """The message, with the previous question when it points back to it ("and its inverse?")."""
    said = {w.lower().strip("?.,!") for w in message.split()}
    if content_words(message) and not said & REFERRING:
        return message
    earlier = [t.content for t in history if t.role == "user"][-1:]
    return " ".join([*earlier, message])


def merged(groups: Sequence[Sequence[Passage]], limit: int) -> list[Passage]:
    """Passages of earlier groups first, each passage once."""
    seen: set[tuple[UUID, int]] = set()
    chosen: list[Passage] = []
    for group in groups:
        for passage in group:
            key = (passage.document_id, passage.chunk_index)
            if key not in seen and len(chosen) < limit:
                seen.add(key)
                chosen.append(passage)
    return chosen


class Tutor:
    def __init__(self, conn: Connection, retriever: Retriever | None) -> None:
        self.conn = conn
        self.retriever = retriever

    def _search(self, owner: UUID, query: str, **scope: Any) -> list[Passage]:
        if self.retriever is None:
            return []
        return self.retriever.retrieve(owner, query, max_chunks=MAX_PASSAGES, **scope)

    def prepare(
        self, owner: UUID, chat: dict[str, Any], message: dict[str, Any], now: datetime
    ) -> Prepared:
        turns = chat_queries.recent_turns(self.conn, chat["id"], HISTORY_MESSAGES)
        history = within_budget(turns, HISTORY_BUDGET)
        query = search_text(message["content"], history)
        named: list[UUID] = list(message["context_documents"])
        groups: list[list[Passage]] = []
        if named:
            found = self._search(owner, query, document_ids=named)
            groups.append(found or document_passages(self.conn, owner, named)[:3])
        contexts = chat_queries.active_contexts(self.conn, chat["id"], now)
        for context in contexts:
            ids = [UUID(str(d)) for d in context["document_ids"]]
            if ids:
                groups.append(self._search(owner, query, document_ids=ids))
        if message["include_course_context"] and chat["course_id"] is not None:
            groups.append(self._search(owner, query, course_id=chat["course_id"]))
        request = ChatRequest(
            message=message["content"],
            passages=merged(groups, MAX_PASSAGES),
            history=history,
            system_prompt=chat["system_prompt"],
            notes=[c["content"] for c in contexts if c["content"]],
            temperature=float(chat["temperature"]),
            message_type=message["message_type"],
        )
        return Prepared(request, [c["id"] for c in contexts])


def context_used(prepared: Prepared, reply: ChatReply) -> dict[str, Any]:
    """What the answer drew on, as stored with it and shown in `context_used`."""
    passages = [prepared.request.passages[i] for i in reply.cited]
    return {
        "documents_referenced": list(dict.fromkeys(str(p.document_id) for p in passages)),
        "course_concepts": list(reply.concepts),
        "passages": [
            {
                "document_id": str(p.document_id),
                "document_name": p.document_name,
                "page": p.page,
                "section": p.section,
                "excerpt": _excerpt(reply.excerpts.get(i) or p.text),
            }
            for i, p in zip(reply.cited, passages, strict=True)
        ],
        "contexts_applied": [str(c) for c in prepared.contexts],
        "history_messages": len(prepared.request.history),
    }


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= EXCERPT_CHARS:
        return flat
    return flat[: flat.rfind(" ", 0, EXCERPT_CHARS)] + " …"
