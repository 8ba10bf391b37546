"""Chats, their messages and contexts, and tutoring sessions, as the API lists and shows them.

Per-user tables of distinct concepts discussed and knowledge gaps named feed
the `learning_insights` of `stats/`; the queries live in `queries`.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from aksio.aggregates.chat.chat import CHAT_FIELDS, PRIORITIES, Chat
from aksio.aggregates.chat.tutoring_session import OUTCOME_FIELDS, SESSION_FIELDS, TutoringSession
from aksio.projections.engine.base import Projection, Row, Rows, handles
from aksio.projections.engine.db import UtcDateTime, metadata

chats = sa.Table(
    "rm_chats",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("owner_id", sa.Uuid, nullable=False, index=True),
    sa.Column("course_id", sa.Uuid, index=True),
    sa.Column("title", sa.String, nullable=False),
    sa.Column("chat_type", sa.String, nullable=False),
    sa.Column("ai_model", sa.String),
    sa.Column("temperature", sa.Float, nullable=False),
    sa.Column("system_prompt", sa.Text),
    sa.Column("status", sa.String, nullable=False),
    sa.Column("is_favorite", sa.Boolean, nullable=False),
    sa.Column("is_pinned", sa.Boolean, nullable=False),
    sa.Column("message_count", sa.Integer, nullable=False),
    sa.Column("total_tokens", sa.Integer, nullable=False),
    sa.Column("last_message_at", UtcDateTime),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

messages = sa.Table(
    "rm_chat_messages",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("chat_id", sa.Uuid, nullable=False, index=True),
    sa.Column("owner_id", sa.Uuid, nullable=False, index=True),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("role", sa.String, nullable=False),
    sa.Column("message_type", sa.String, nullable=False),
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("reply_to", sa.Uuid),
    sa.Column("answers_type", sa.String),  # the message type of the question answered
    sa.Column("ai_model_used", sa.String),
    sa.Column("token_count", sa.Integer, nullable=False),
    sa.Column("prompt_tokens", sa.Integer, nullable=False),
    sa.Column("processing_time_ms", sa.Integer),
    sa.Column("context_used", sa.JSON),
    sa.Column("context_documents", sa.JSON, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

contexts = sa.Table(
    "rm_chat_contexts",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("chat_id", sa.Uuid, nullable=False, index=True),
    sa.Column("owner_id", sa.Uuid, nullable=False),
    sa.Column("context_type", sa.String, nullable=False),
    sa.Column("content", sa.Text),
    sa.Column("document_ids", sa.JSON, nullable=False),
    sa.Column("priority", sa.String, nullable=False),
    sa.Column("priority_rank", sa.Integer, nullable=False),
    sa.Column("expiration_date", UtcDateTime),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

concepts = sa.Table(
    "rm_chat_concepts",
    metadata,
    sa.Column("owner_id", sa.Uuid, primary_key=True),
    sa.Column("concept", sa.String, primary_key=True),
    sa.Column("mentions", sa.Integer, nullable=False),
)

gaps = sa.Table(
    "rm_chat_knowledge_gaps",
    metadata,
    sa.Column("owner_id", sa.Uuid, primary_key=True),
    sa.Column("gap", sa.String, primary_key=True),
)

sessions = sa.Table(
    "rm_tutoring_sessions",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("owner_id", sa.Uuid, nullable=False, index=True),
    sa.Column("course_id", sa.Uuid, index=True),
    sa.Column("title", sa.String, nullable=False),
    sa.Column("session_type", sa.String, nullable=False),
    sa.Column("learning_objectives", sa.JSON, nullable=False),
    sa.Column("estimated_duration_minutes", sa.Integer),
    sa.Column("difficulty_level", sa.String),
    sa.Column("status", sa.String, nullable=False),
    sa.Column("started_at", UtcDateTime),
    sa.Column("completed_at", UtcDateTime),
    sa.Column("duration_minutes", sa.Integer),
    sa.Column("objectives_achieved", sa.JSON, nullable=False),
    sa.Column("concepts_mastered", sa.JSON, nullable=False),
    sa.Column("areas_for_improvement", sa.JSON, nullable=False),
    sa.Column("user_satisfaction", sa.Integer),
    sa.Column("learning_effectiveness", sa.Integer),
    sa.Column("session_notes", sa.Text),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)


class ChatProjection(Projection):
    name = "chat"
    tables = (chats, messages, contexts, concepts, gaps, sessions)

    @handles(Chat.Created)
    def created(self, e: Chat.Created, rows: Rows) -> None:
        fields = {k: e.fields.get(k) for k in CHAT_FIELDS}
        rows.put(chats, {
            **fields, "id": e.originator_id, "owner_id": e.owner_id, "status": "active",
            "temperature": fields["temperature"] if fields["temperature"] is not None else 0.7,
            "is_favorite": bool(fields["is_favorite"]), "is_pinned": bool(fields["is_pinned"]),
            "message_count": 0, "total_tokens": 0,
            "created_at": e.created_at, "updated_at": e.created_at,
        })  # fmt: skip

    @handles(Chat.Updated)
    def updated(self, e: Chat.Updated, rows: Rows) -> None:
        changes = {k: v for k, v in e.changes.items() if k in CHAT_FIELDS}
        rows.update(chats, e.originator_id, **changes, updated_at=e.updated_at)

    @handles(Chat.Archived, Chat.Restored)
    def status_changed(self, e: Chat.Archived | Chat.Restored, rows: Rows) -> None:
        status = "archived" if isinstance(e, Chat.Archived) else "active"
        rows.update(chats, e.originator_id, status=status, updated_at=e.updated_at)

    def _message(self, chat: Row, message_id: Any, at: Any, **fields: Any) -> Row:
        return {
            "id": message_id, "chat_id": chat["id"], "owner_id": chat["owner_id"],
            "seq": chat["message_count"], "token_count": 0, "prompt_tokens": 0,
            "context_documents": [], "created_at": at, "updated_at": at, **fields,
        }  # fmt: skip

    @handles(Chat.MessageSent)
    def message_sent(self, e: Chat.MessageSent, rows: Rows) -> None:
        chat = rows.get(chats, e.originator_id)
        if chat is None:
            return
        rows.put(messages, self._message(
            chat, e.message_id, e.sent_at, role="user", message_type=e.message_type,
            content=e.content, context_documents=list(e.context_documents),
        ))  # fmt: skip
        rows.update(chats, chat["id"], message_count=chat["message_count"] + 1,
                    last_message_at=e.sent_at, updated_at=e.sent_at)  # fmt: skip

    @handles(Chat.ResponseGiven)
    def response_given(self, e: Chat.ResponseGiven, rows: Rows) -> None:
        chat = rows.get(chats, e.originator_id)
        if chat is None:
            return
        question = rows.get(messages, e.reply_to) or {}
        rows.put(messages, self._message(
            chat, e.message_id, e.answered_at, role="assistant",
            message_type="example" if question.get("message_type") == "example"
            else "explanation", content=e.content,
            reply_to=e.reply_to, answers_type=question.get("message_type"),
            ai_model_used=e.ai_model_used, token_count=e.token_count,
            prompt_tokens=e.prompt_tokens, processing_time_ms=e.processing_time_ms,
            context_used=dict(e.context_used),
        ))  # fmt: skip
        rows.update(chats, chat["id"], message_count=chat["message_count"] + 1,
                    total_tokens=chat["total_tokens"] + e.token_count + e.prompt_tokens,
                    last_message_at=e.answered_at, updated_at=e.answered_at)  # fmt: skip
        for concept in e.context_used.get("course_concepts") or []:
            seen = rows.get(concepts, (chat["owner_id"], concept))
            count = seen["mentions"] + 1 if seen else 1
            rows.put(
                concepts, {"owner_id": chat["owner_id"], "concept": concept, "mentions": count}
            )

    @handles(Chat.ContextAdded)
    def context_added(self, e: Chat.ContextAdded, rows: Rows) -> None:
        chat = rows.get(chats, e.originator_id)
        if chat is None:
            return
        rows.put(contexts, {
            "id": e.context_id, "chat_id": chat["id"], "owner_id": chat["owner_id"],
            "context_type": e.context_type, "content": e.content,
            "document_ids": list(e.document_ids), "priority": e.priority,
            "priority_rank": PRIORITIES.get(e.priority, 0), "expiration_date": e.expires_at,
            "created_at": e.added_at, "updated_at": e.added_at,
        })  # fmt: skip
        rows.update(chats, chat["id"], updated_at=e.added_at)

    @handles(TutoringSession.Created)
    def session_created(self, e: TutoringSession.Created, rows: Rows) -> None:
        fields = {k: e.fields.get(k) for k in SESSION_FIELDS}
        rows.put(sessions, {
            **fields, "id": e.originator_id, "owner_id": e.owner_id, "status": "planned",
            "learning_objectives": list(fields["learning_objectives"] or []),
            "objectives_achieved": [], "concepts_mastered": [], "areas_for_improvement": [],
            "created_at": e.created_at, "updated_at": e.created_at,
        })  # fmt: skip

    @handles(TutoringSession.Updated)
    def session_updated(self, e: TutoringSession.Updated, rows: Rows) -> None:
        changes = {k: v for k, v in e.changes.items() if k in SESSION_FIELDS}
        rows.update(sessions, e.originator_id, **changes, updated_at=e.updated_at)

    @handles(TutoringSession.Started)
    def session_started(self, e: TutoringSession.Started, rows: Rows) -> None:
        rows.update(sessions, e.originator_id, status="in_progress", started_at=e.started_at,
                    updated_at=e.started_at)  # fmt: skip

    @handles(TutoringSession.Completed)
    def session_completed(self, e: TutoringSession.Completed, rows: Rows) -> None:
        outcome: dict[str, Any] = {k: e.outcome.get(k) for k in OUTCOME_FIELDS}
        named: list[str] = [str(g) for g in outcome["areas_for_improvement"] or []]
        for key in ("objectives_achieved", "concepts_mastered", "areas_for_improvement"):
            outcome[key] = list(outcome[key] or [])
        row = rows.update(sessions, e.originator_id, **outcome, status="completed",
                          completed_at=e.completed_at, duration_minutes=e.duration_minutes,
                          updated_at=e.completed_at)  # fmt: skip
        if row is not None:
            for gap in named:
                rows.put(gaps, {"owner_id": row["owner_id"], "gap": gap.strip().lower()})

    @handles(TutoringSession.Deleted)
    def session_deleted(self, e: TutoringSession.Deleted, rows: Rows) -> None:
        rows.delete(sessions, e.originator_id)
