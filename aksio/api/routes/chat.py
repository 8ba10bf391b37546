"""Chats with the tutor (answers cite your documents), their statistics, and tutoring sessions."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Annotated, Any, Literal, cast
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy.engine import Connection

from aksio.api.deps import Bus, Commands, CurrentUser, Now, Paging, Reads, SystemDep, fresh_reads
from aksio.api.schemas.chat import (
    ChatCreate,
    ChatMessageOut,
    ChatOut,
    ChatStats,
    ChatType,
    ChatUpdate,
    ContextCreate,
    ContextOut,
    ExchangeOut,
    MessageType,
    SendMessage,
    SessionComplete,
    SessionCreate,
    SessionOut,
    SessionUpdate,
)  # fmt: skip
from aksio.api.schemas.common import ERRORS, PageOut
from aksio.bootstrap import System
from aksio.commands.chat import (
    AddChatContext,
    ArchiveChat,
    CompleteTutoringSession,
    CreateChat,
    CreateTutoringSession,
    DeleteTutoringSession,
    RecordExchange,
    StartTutoringSession,
    UpdateChat,
    UpdateTutoringSession,
)  # fmt: skip
from aksio.core.errors import DomainError, NotFound
from aksio.integrations.llm.models import ChatDelta, ChatReply
from aksio.projections.chat import queries as q
from aksio.usecases import chat
from aksio.usecases.ownership import own_chat

router = APIRouter(prefix="/api/v1/chat", tags=["chat"], responses=ERRORS)
EVENT_STREAM = "text/event-stream"


@router.post("/chats/", status_code=201, response_model=ChatOut)
def create_chat(body: ChatCreate, user: CurrentUser, bus: Bus, reads: Reads) -> ChatOut:
    """Start a chat, about one of your courses or in general."""
    fields = {**body.model_dump(exclude={"course"}), "course_id": body.course}
    chat_id = bus.run(CreateChat(owner_id=user, fields=fields))
    return ChatOut.model_validate(own_chat(reads, user, chat_id))


@router.get("/chats/", response_model=PageOut[ChatOut])
def list_chats(
    request: Request, user: CurrentUser, reads: Reads, paging: Paging,
    course: UUID | None = None, chat_type: ChatType | None = None,
    status: Literal["active", "archived"] | None = None,
    is_favorite: bool | None = None, is_pinned: bool | None = None,
) -> PageOut[ChatOut]:  # fmt: skip
    """List your chats, pinned first, then by latest activity."""
    filters = {"course_id": course, "chat_type": chat_type, "status": status,
               "is_favorite": is_favorite, "is_pinned": is_pinned}  # fmt: skip
    page = q.list_chats(reads, user, paging.page, paging.page_size, filters)
    result: PageOut[ChatOut] = PageOut[ChatOut].of(request, page, ChatOut)
    return result


@router.get("/chats/stats/", response_model=ChatStats)
def chat_stats(user: CurrentUser, reads: Reads) -> dict[str, Any]:
    """Counts of your chats, messages and tokens, and what the conversations covered."""
    return q.chat_stats(reads, user)


@router.get("/chats/{chat_id}/", response_model=ChatOut)
def get_chat(chat_id: UUID, user: CurrentUser, reads: Reads) -> ChatOut:
    """Show one chat."""
    return ChatOut.model_validate(own_chat(reads, user, chat_id))


@router.patch("/chats/{chat_id}/", response_model=ChatOut)
def update_chat(
    chat_id: UUID, body: ChatUpdate, user: CurrentUser, bus: Bus, reads: Reads
) -> ChatOut:
    """Rename, favourite, pin or change a chat's settings; `status` archives or restores it."""
    changes = body.model_dump(exclude_unset=True)
    status = changes.pop("status", None)
    bus.run(UpdateChat(owner_id=user, chat_id=chat_id, changes=changes, status=status))
    return ChatOut.model_validate(own_chat(reads, user, chat_id))


@router.delete("/chats/{chat_id}/", status_code=204, response_class=Response)
def archive_chat(chat_id: UUID, user: CurrentUser, bus: Bus) -> Response:
    """Archive a chat (its messages stay)."""
    bus.run(ArchiveChat(owner_id=user, chat_id=chat_id))
    return Response(status_code=204)


def _exchange(reads: Connection, ids: tuple[UUID, UUID]) -> dict[str, Any]:
    asked, answered = (q.get_message(reads, i) for i in ids)
    return ExchangeOut.model_validate({"user_message": asked, "ai_response": answered}).model_dump(
        mode="json"
    )


def _sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n"


def _stream(
    system: System, deltas: Iterator[ChatDelta], finish: Callable[[ChatReply], RecordExchange]
) -> Iterator[str]:
    """Sends each piece as it comes, then stores the exchange and sends it as `done`."""
    try:
        for delta in deltas:
            if delta.text:
                yield _sse("delta", {"content": delta.text})
            if delta.reply is not None:
                ids = Commands(system).run(finish(delta.reply))
                reads = fresh_reads(system)
                try:
                    yield _sse("done", _exchange(cast(Connection, reads), ids))
                finally:
                    reads.release()
    except DomainError as error:  # the answer failed part-way: nothing was stored
        yield _sse("error", {"error": error.message, "error_code": error.error_code})


@router.post(
    "/chats/{chat_id}/send_message/",
    status_code=201,
    response_model=ExchangeOut,
    responses={201: {"content": {EVENT_STREAM: {}}}, 403: ERRORS[401], 503: ERRORS[401]},
)
def send_message(
    chat_id: UUID, body: SendMessage, request: Request, user: CurrentUser, system: SystemDep,
    bus: Bus, reads: Reads, now: Now,
) -> Any:  # fmt: skip
    """Ask the tutor; with `Accept: text/event-stream` the answer streams as server-sent events."""
    question = chat.Question(**body.model_dump())
    exchange = chat.prepare(
        reads, system.services, system.limiter,
        user=user, chat_id=chat_id, question=question, now=now,
    )  # fmt: skip
    if EVENT_STREAM in request.headers.get("accept", ""):
        deltas = chat.stream_answer(exchange, system.services)
        stream = _stream(system, deltas, exchange.record)
        return StreamingResponse(stream, status_code=201, media_type=EVENT_STREAM)
    return _exchange(reads, chat.answer(exchange, system.services, bus))


@router.get("/chats/{chat_id}/messages/", response_model=PageOut[ChatMessageOut])
def list_messages(
    request: Request, chat_id: UUID, user: CurrentUser, reads: Reads, paging: Paging,
    type: MessageType | None = None, role: Literal["user", "assistant", "system"] | None = None,
    limit: Annotated[int | None, Query(ge=1, le=1000, description="Only the latest N.")] = None,
) -> PageOut[ChatMessageOut]:  # fmt: skip
    """List a chat's messages, oldest first; filter by `type` and `role`, or take the latest."""
    own_chat(reads, user, chat_id)
    filters = {"message_type": type, "role": role}
    page = q.list_messages(reads, chat_id, paging.page, paging.page_size, filters, limit)
    result: PageOut[ChatMessageOut] = PageOut[ChatMessageOut].of(request, page, ChatMessageOut)
    return result


@router.post("/chats/{chat_id}/add_context/", status_code=201, response_model=ContextOut)
def add_context(
    chat_id: UUID, body: ContextCreate, user: CurrentUser, bus: Bus, reads: Reads
) -> ContextOut:
    """Give the chat notes or documents to draw on, by priority, until their expiration."""
    own_chat(reads, user, chat_id)
    fields = body.model_dump(exclude={"expiration_date"}, mode="json")
    fields["expires_at"] = body.expiration_date
    context_id = bus.run(AddChatContext(owner_id=user, chat_id=chat_id, fields=fields))
    return ContextOut.model_validate(q.get_context(reads, context_id))


@router.get("/chats/{chat_id}/contexts/", response_model=list[ContextOut])
def list_contexts(chat_id: UUID, user: CurrentUser, reads: Reads, now: Now) -> list[ContextOut]:
    """The chat's contexts still in force, in the order answers heed them."""
    own_chat(reads, user, chat_id)
    return [ContextOut.model_validate(r) for r in q.active_contexts(reads, chat_id, now)]


# -- tutoring sessions ---------------------------------------------------------------
def _session(reads: Connection, user: UUID, session_id: UUID) -> SessionOut:
    row = q.get_session(reads, user, session_id)
    if row is None:
        raise NotFound("Tutoring session")
    return SessionOut.model_validate(row)


@router.post("/tutoring-sessions/", status_code=201, response_model=SessionOut)
def create_session(body: SessionCreate, user: CurrentUser, bus: Bus, reads: Reads) -> SessionOut:
    """Plan a tutoring session with its learning objectives."""
    fields = {**body.model_dump(exclude={"course"}), "course_id": body.course}
    return _session(reads, user, bus.run(CreateTutoringSession(owner_id=user, fields=fields)))


@router.get("/tutoring-sessions/", response_model=PageOut[SessionOut])
def list_sessions(
    request: Request, user: CurrentUser, reads: Reads, paging: Paging,
    course: UUID | None = None,
    status: Literal["planned", "in_progress", "completed"] | None = None,
) -> PageOut[SessionOut]:  # fmt: skip
    """List your tutoring sessions, oldest first."""
    filters = {"course_id": course, "status": status}
    page = q.list_sessions(reads, user, paging.page, paging.page_size, filters)
    result: PageOut[SessionOut] = PageOut[SessionOut].of(request, page, SessionOut)
    return result


@router.get("/tutoring-sessions/{session_id}/", response_model=SessionOut)
def get_session(session_id: UUID, user: CurrentUser, reads: Reads) -> SessionOut:
    """Show one tutoring session."""
    return _session(reads, user, session_id)


@router.patch("/tutoring-sessions/{session_id}/", response_model=SessionOut)
def update_session(
    session_id: UUID, body: SessionUpdate, user: CurrentUser, bus: Bus, reads: Reads
) -> SessionOut:
    """Change what a session plans."""
    changes = body.model_dump(exclude_unset=True)
    bus.run(UpdateTutoringSession(owner_id=user, session_id=session_id, changes=changes))
    return _session(reads, user, session_id)


@router.delete("/tutoring-sessions/{session_id}/", status_code=204, response_class=Response)
def delete_session(session_id: UUID, user: CurrentUser, bus: Bus) -> Response:
    """Delete a tutoring session."""
    bus.run(DeleteTutoringSession(owner_id=user, session_id=session_id))
    return Response(status_code=204)


@router.post("/tutoring-sessions/{session_id}/start/", response_model=SessionOut)
def start_session(session_id: UUID, user: CurrentUser, bus: Bus, reads: Reads) -> SessionOut:
    """Start a planned session (409 unless planned)."""
    bus.run(StartTutoringSession(owner_id=user, session_id=session_id))
    return _session(reads, user, session_id)


@router.post("/tutoring-sessions/{session_id}/complete/", response_model=SessionOut)
def complete_session(
    session_id: UUID, body: SessionComplete, user: CurrentUser, bus: Bus, reads: Reads
) -> SessionOut:
    """Complete a session in progress with its outcome (409 unless in progress)."""
    outcome = body.model_dump()
    bus.run(CompleteTutoringSession(owner_id=user, session_id=session_id, outcome=outcome))
    return _session(reads, user, session_id)
