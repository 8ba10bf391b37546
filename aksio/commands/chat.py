"""Commands of the chat context: chats, their exchanges and contexts, and tutoring sessions.

The tutor's answer is written before `RecordExchange` runs (it may stream to
the client first); the handler stores the question, the answer and the tokens
they used in one save, so a failed answer stores nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from aksio.aggregates.chat.chat import Chat
from aksio.aggregates.chat.tutoring_session import TutoringSession
from aksio.commands.bus import Command, Handler, UnitOfWork
from aksio.commands.generation import meter_tokens
from aksio.commands.references import own_course, own_documents


@dataclass(frozen=True, kw_only=True)
class CreateChat(Command[UUID]):
    owner_id: UUID
    fields: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class UpdateChat(Command[None]):
    owner_id: UUID
    chat_id: UUID
    changes: dict[str, Any]
    status: str | None = None


@dataclass(frozen=True, kw_only=True)
class ArchiveChat(Command[None]):
    owner_id: UUID
    chat_id: UUID


@dataclass(frozen=True, kw_only=True)
class AddChatContext(Command[UUID]):
    owner_id: UUID
    chat_id: UUID
    fields: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class RecordExchange(Command[tuple[UUID, UUID]]):
    """`question` and `answer` hold the fields of `MessageSent` and `ResponseGiven`."""

    owner_id: UUID
    chat_id: UUID
    question: dict[str, Any]
    answer: dict[str, Any]
    asked_at: datetime
    tokens_used: int


@dataclass(frozen=True, kw_only=True)
class CreateTutoringSession(Command[UUID]):
    owner_id: UUID
    fields: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class UpdateTutoringSession(Command[None]):
    owner_id: UUID
    session_id: UUID
    changes: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class StartTutoringSession(Command[None]):
    owner_id: UUID
    session_id: UUID


@dataclass(frozen=True, kw_only=True)
class CompleteTutoringSession(Command[None]):
    owner_id: UUID
    session_id: UUID
    outcome: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class DeleteTutoringSession(Command[None]):
    owner_id: UUID
    session_id: UUID


def create_chat(cmd: CreateChat, uow: UnitOfWork) -> UUID:
    own_course(uow, cmd.owner_id, cmd.fields.get("course_id"))
    chat = Chat.create(cmd.owner_id, cmd.fields, uow.services.clock.now())
    uow.save(chat)
    return chat.id


def update_chat(cmd: UpdateChat, uow: UnitOfWork) -> None:
    chat = uow.load(Chat, cmd.chat_id, owner_id=cmd.owner_id)
    now = uow.services.clock.now()
    chat.update(cmd.changes, now)
    if cmd.status is not None:
        chat.set_status(cmd.status, now)
    uow.save(chat)


def archive_chat(cmd: ArchiveChat, uow: UnitOfWork) -> None:
    chat = uow.load(Chat, cmd.chat_id, owner_id=cmd.owner_id)
    chat.set_status("archived", uow.services.clock.now())
    uow.save(chat)


def add_chat_context(cmd: AddChatContext, uow: UnitOfWork) -> UUID:
    chat = uow.load(Chat, cmd.chat_id, owner_id=cmd.owner_id)
    own_documents(uow, cmd.owner_id, cmd.fields.get("document_ids") or [])
    context_id = chat.add_context(dict(cmd.fields), uow.services.clock.now())
    uow.save(chat)
    return context_id


def record_exchange(cmd: RecordExchange, uow: UnitOfWork) -> tuple[UUID, UUID]:
    chat = uow.load(Chat, cmd.chat_id, owner_id=cmd.owner_id)
    own_documents(uow, cmd.owner_id, cmd.question.get("context_documents") or [])
    now = uow.services.clock.now()
    ids = chat.exchange(dict(cmd.question), dict(cmd.answer), cmd.asked_at, now)
    uow.save(chat, *meter_tokens(uow, cmd.owner_id, cmd.tokens_used, "chat", now))
    return ids


def _session(uow: UnitOfWork, session_id: UUID, owner_id: UUID) -> TutoringSession:
    session = uow.load(TutoringSession, session_id, owner_id=owner_id)
    session.require_present()
    return session


def create_tutoring_session(cmd: CreateTutoringSession, uow: UnitOfWork) -> UUID:
    own_course(uow, cmd.owner_id, cmd.fields.get("course_id"))
    session = TutoringSession.create(cmd.owner_id, cmd.fields, uow.services.clock.now())
    uow.save(session)
    return session.id


def update_tutoring_session(cmd: UpdateTutoringSession, uow: UnitOfWork) -> None:
    session = _session(uow, cmd.session_id, cmd.owner_id)
    session.update(cmd.changes, uow.services.clock.now())
    uow.save(session)


def start_tutoring_session(cmd: StartTutoringSession, uow: UnitOfWork) -> None:
    session = _session(uow, cmd.session_id, cmd.owner_id)
    session.start(uow.services.clock.now())
    uow.save(session)


def complete_tutoring_session(cmd: CompleteTutoringSession, uow: UnitOfWork) -> None:
    session = _session(uow, cmd.session_id, cmd.owner_id)
    session.complete(cmd.outcome, uow.services.clock.now())
    uow.save(session)


def delete_tutoring_session(cmd: DeleteTutoringSession, uow: UnitOfWork) -> None:
    session = _session(uow, cmd.session_id, cmd.owner_id)
    session.delete(uow.services.clock.now())
    uow.save(session)


HANDLERS: dict[type[Any], Handler] = {
    CreateChat: create_chat,
    UpdateChat: update_chat,
    ArchiveChat: archive_chat,
    AddChatContext: add_chat_context,
    RecordExchange: record_exchange,
    CreateTutoringSession: create_tutoring_session,
    UpdateTutoringSession: update_tutoring_session,
    StartTutoringSession: start_tutoring_session,
    CompleteTutoringSession: complete_tutoring_session,
    DeleteTutoringSession: delete_tutoring_session,
}
