"""Chat and tutoring aggregates, given/when/then, and the chat read model's rebuild."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from aksio.aggregates.chat.chat import Chat
from aksio.aggregates.chat.tutoring_session import TutoringSession
from aksio.bootstrap import System
from aksio.core.errors import InvalidState, ValidationFailed
from aksio.projections.chat.projection import ChatProjection
from tests.ai.support import Headers, chat, course, send, upload

NOW = datetime(2026, 1, 20, 10, 0, tzinfo=UTC)
ANSWER: dict[str, Any] = {
    "content": "An answer.", "ai_model_used": "m", "token_count": 3, "prompt_tokens": 9,
    "processing_time_ms": 5, "context_used": {},
}  # fmt: skip


def question(text: str = "Why?") -> dict[str, Any]:
    return {"content": text, "message_type": "question", "context_documents": []}


def test_an_archived_chat_takes_no_messages_until_restored() -> None:
    chat_ = Chat.create(uuid4(), {"title": "T", "chat_type": "study"}, NOW)
    chat_.set_status("archived", NOW)
    with pytest.raises(InvalidState):
        chat_.exchange(question(), dict(ANSWER), NOW, NOW)
    chat_.set_status("active", NOW)
    asked, answered = chat_.exchange(question(), dict(ANSWER), NOW, NOW)
    events = chat_.collect_events()
    assert [type(e).__name__ for e in events][-2:] == ["MessageSent", "ResponseGiven"]
    assert events[-1].reply_to == asked and events[-1].message_id == answered  # type: ignore[attr-defined]


def test_contexts_need_a_priority_and_a_future_expiration() -> None:
    chat_ = Chat.create(uuid4(), {"title": "T"}, NOW)
    fields = {"context_type": "note", "content": "x", "document_ids": []}
    with pytest.raises(ValidationFailed):
        chat_.add_context({**fields, "priority": "urgent", "expires_at": None}, NOW)
    with pytest.raises(ValidationFailed):
        chat_.add_context({**fields, "priority": "high", "expires_at": NOW}, NOW)
    chat_.add_context({**fields, "priority": "high", "expires_at": NOW + timedelta(hours=1)}, NOW)


def test_tutoring_session_states_in_order() -> None:
    session = TutoringSession.create(uuid4(), {"title": "S"}, NOW)
    with pytest.raises(InvalidState):
        session.complete({}, NOW)
    session.start(NOW)
    with pytest.raises(InvalidState):
        session.start(NOW)
    session.complete({"user_satisfaction": 5}, NOW + timedelta(minutes=90, seconds=20))
    assert session.status == "completed"
    completed = session.collect_events()[-1]
    assert completed.duration_minutes == 90  # type: ignore[attr-defined]


def _snapshot(system: System) -> dict[str, list[Any]]:
    with system.engine.connect() as conn:
        return {
            t.name: sorted(map(repr, conn.execute(sa.select(t)).all()))
            for t in ChatProjection.tables
        }


def test_rebuild_gives_the_same_read_model(
    client: TestClient, system: System, auth: Headers
) -> None:
    course_id = course(client, auth)
    document = upload(client, system, auth, course_id, pages=5)
    conversation = chat(client, auth, course=course_id)
    send(client, auth, conversation["id"], "What does amylase do?")
    send(client, auth, conversation["id"], "Which allele shows with one copy?",
         message_type="problem")  # fmt: skip
    client.post(f"/api/v1/chat/chats/{conversation['id']}/add_context/",
                json={"document_ids": [document], "content": "Exam"}, headers=auth)  # fmt: skip
    client.patch(f"/api/v1/chat/chats/{conversation['id']}/", json={"is_favorite": True},
                 headers=auth)  # fmt: skip
    session = client.post("/api/v1/chat/tutoring-sessions/", json={"title": "S"},
                          headers=auth).json()  # fmt: skip
    client.post(f"/api/v1/chat/tutoring-sessions/{session['id']}/start/", headers=auth)
    client.post(f"/api/v1/chat/tutoring-sessions/{session['id']}/complete/",
                json={"areas_for_improvement": ["Alleles"]}, headers=auth)  # fmt: skip
    system.drain()
    before = _snapshot(system)
    stats = client.get("/api/v1/chat/chats/stats/", headers=auth).json()
    projection = next(p for p in system.projections if isinstance(p, ChatProjection))
    system.runner.rebuild([projection])
    assert _snapshot(system) == before
    assert client.get("/api/v1/chat/chats/stats/", headers=auth).json() == stats
    assert all(before.values())
