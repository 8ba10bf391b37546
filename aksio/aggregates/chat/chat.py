"""A conversation with the tutor, about a course or in general.

Lifecycle: created `active`; `Updated` changes title, settings, `is_favorite`
and `is_pinned`; `Archived` (DELETE or PATCH of status) and `Restored`. While
active, each exchange is a `MessageSent` by the user and the `ResponseGiven`
to it, saved together; `ContextAdded` attaches notes and documents that later
answers draw on, by priority, until their expiration.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from aksio.aggregates import values as v
from aksio.core.errors import InvalidState, ValidationFailed

CHAT_FIELDS = (
    "title", "course_id", "chat_type", "ai_model", "temperature", "system_prompt",
    "is_favorite", "is_pinned",
)  # fmt: skip
PRIORITIES = {"high": 3, "medium": 2, "low": 1}
CHAT_RULES = {
    "title": v.text(required=True, max_length=200),
    "course_id": v.identifier(),
    "chat_type": v.text(required=True, max_length=50),
    "ai_model": v.text(nullable=True, max_length=100),
    "temperature": v.number(),
    "system_prompt": v.text(nullable=True),
    "is_favorite": v.flag(),
    "is_pinned": v.flag(),
}
CONTEXT_RULES = {
    "context_type": v.text(required=True, max_length=50),
    "content": v.text(nullable=True),
    "document_ids": v.texts(),
    "priority": v.choice(*PRIORITIES),
    "expires_at": v.moment(),
}
CHAT_DEFAULTS: dict[str, Any] = {
    "title": "New chat", "chat_type": "study", "temperature": 0.7,
    "is_favorite": False, "is_pinned": False,
}  # fmt: skip


class Chat(Aggregate):
    TOPIC = "aksio.chat"

    class Created(Aggregate.Created):
        TOPIC = "aksio.chat.created"
        owner_id: UUID
        fields: dict[str, Any]
        created_at: datetime

    class Updated(Aggregate.Event):
        TOPIC = "aksio.chat.updated"
        changes: dict[str, Any]
        updated_at: datetime

    class Archived(Aggregate.Event):
        TOPIC = "aksio.chat.archived"
        updated_at: datetime

    class Restored(Aggregate.Event):
        TOPIC = "aksio.chat.restored"
        updated_at: datetime

    class MessageSent(Aggregate.Event):
        TOPIC = "aksio.chat.message_sent"
        message_id: UUID
        content: str
        message_type: str
        context_documents: list[str]
        sent_at: datetime

        def apply(self, aggregate: Chat) -> None:
            aggregate.messages += 1

    class ResponseGiven(Aggregate.Event):
        """The answer to `reply_to`; `context_used` names the documents and passages cited."""

        TOPIC = "aksio.chat.response_given"
        message_id: UUID
        reply_to: UUID
        content: str
        ai_model_used: str
        token_count: int
        prompt_tokens: int
        processing_time_ms: int
        context_used: dict[str, Any]
        answered_at: datetime

        def apply(self, aggregate: Chat) -> None:
            aggregate.messages += 1

    class ContextAdded(Aggregate.Event):
        TOPIC = "aksio.chat.context_added"
        context_id: UUID
        context_type: str
        content: str | None
        document_ids: list[str]
        priority: str
        expires_at: datetime | None
        added_at: datetime

    @event(Created)
    def __init__(self, owner_id: UUID, fields: dict[str, Any], created_at: datetime) -> None:
        self.owner_id = owner_id
        self.fields = dict(fields)
        self.status = "active"
        self.messages = 0

    @classmethod
    def create(cls, owner_id: UUID, fields: dict[str, Any], now: datetime) -> Chat:
        decided = {**CHAT_DEFAULTS, **fields}
        v.check(decided, CHAT_RULES)
        return cls(owner_id=owner_id, fields=decided, created_at=now)

    def update(self, changes: dict[str, Any], now: datetime) -> None:
        v.check(changes, CHAT_RULES)
        changed = {k: v for k, v in changes.items() if k in CHAT_FIELDS and self.fields.get(k) != v}
        if "course_id" in changed:
            raise ValidationFailed.field("course", "A chat stays with its course.")
        if changed:
            self._updated(changes=changed, updated_at=now)

    def set_status(self, status: str, now: datetime) -> None:
        if status == self.status:
            return
        if status == "archived":
            self._archived(updated_at=now)
        else:
            self._restored(updated_at=now)

    def _require_active(self) -> None:
        if self.status != "active":
            raise InvalidState("This chat is archived; restore it to continue.")

    def exchange(
        self, question: dict[str, Any], answer: dict[str, Any], asked: datetime, now: datetime
    ) -> tuple[UUID, UUID]:
        """Records the user's message (sent at `asked`) and the answer to it; returns both ids."""
        self._require_active()
        v.check({"content": question.get("content")}, {"content": v.text(required=True)})
        asked_id, answer_id = uuid4(), uuid4()
        # Events whose appliers need few of their fields are triggered with all of them.
        self.trigger_event(self.MessageSent, message_id=asked_id, sent_at=asked, **question)
        self.trigger_event(
            self.ResponseGiven, message_id=answer_id, reply_to=asked_id, answered_at=now, **answer
        )
        return asked_id, answer_id

    def add_context(self, fields: dict[str, Any], now: datetime) -> UUID:
        self._require_active()
        v.check(fields, CONTEXT_RULES, required=("context_type", "document_ids", "priority"))
        expires = fields.get("expires_at")
        if expires is not None and expires <= now:
            raise ValidationFailed.field("expiration_date", "Must be in the future.")
        if fields.get("priority") not in PRIORITIES:
            raise ValidationFailed.field("priority", "Must be high, medium or low.")
        context_id = uuid4()
        # Contexts live in the read model only: the chat's own state does not change.
        self.trigger_event(self.ContextAdded, context_id=context_id, added_at=now, **fields)
        return context_id

    @event(Updated)
    def _updated(self, changes: dict[str, Any], updated_at: datetime) -> None:
        self.fields.update(changes)

    @event(Archived)
    def _archived(self, updated_at: datetime) -> None:
        self.status = "archived"

    @event(Restored)
    def _restored(self, updated_at: datetime) -> None:
        self.status = "active"
