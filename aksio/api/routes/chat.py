"""Chats with the tutor (answers cite your documents), their statistics, and tutoring sessions."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy.engine import Connection

from aksio.api.deps import Bus, Commands, CurrentUser, Now, Paging, Reads, SystemDep
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
from aksio.core.errors import DomainError, InvalidState, NotFound
from aksio.integrations.llm.conversation import Prepared, Tutor, context_used
from aksio.integrations.llm.models import ChatReply
from aksio.projections import billing as billing_queries
from aksio.projections import chat_queries as q
from aksio.projections.courses import get_course
from aksio.projections.documents import get_document

router = APIRouter(prefix="/api/v1/chat", tags=["chat"], responses=ERRORS)
EVENT_STREAM = "text/event-stream"


def _chat(reads: Connection, user: UUID, chat_id: UUID) -> dict[str, Any]:
    row = q.get_chat(reads, user, chat_id)
    if row is None:
        raise NotFound("Chat")
    return row


def _own_documents(reads: Connection, user: UUID, ids: list[UUID]) -> None:
    """Another user's document is never context: naming one is 404, like any foreign resource."""
    for document_id in ids:
        if get_document(reads, user, document_id) is None:
            raise NotFound("Document")


def _own_course(reads: Connection, user: UUID, course_id: UUID | None) -> None:
    if course_id is not None and get_course(reads, user, course_id) is None:
        raise NotFound("Course")


@router.post("/chats/", status_code=201, response_model=ChatOut)
def create_chat(body: ChatCreate, user: CurrentUser, bus: Bus, reads: Reads) -> ChatOut:
    """Start a chat, about one of your courses or in general."""
    _own_course(reads, user, body.course)
    fields = {**body.model_dump(exclude={"course"}), "course_id": body.course}
    chat_id = bus.run(CreateChat(owner_id=user, fields=fields))
    return ChatOut.model_validate(_chat(reads, user, chat_id))


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
    return ChatOut.model_validate(_chat(reads, user, chat_id))


@router.patch("/chats/{chat_id}/", response_model=ChatOut)
def update_chat(
    chat_id: UUID, body: ChatUpdate, user: CurrentUser, bus: Bus, reads: Reads
) -> ChatOut:
    """Rename, favourite, pin or change a chat's settings; `status` archives or restores it."""
    changes = body.model_dump(exclude_unset=True)
    status = changes.pop("status", None)
    bus.run(UpdateChat(owner_id=user, chat_id=chat_id, changes=changes, status=status))
    return ChatOut.model_validate(_chat(reads, user, chat_id))


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


def _record(user: UUID, chat_id: UUID, body: SendMessage, prepared: Prepared, reply: ChatReply,
            began: float, asked_at: Any) -> RecordExchange:  # fmt: skip
    question = {"content": body.content, "message_type": body.message_type,
                "context_documents": [str(d) for d in body.context_documents]}  # fmt: skip
    answer = {"content": reply.content, "ai_model_used": reply.model,
              "token_count": reply.usage.completion_tokens,
              "prompt_tokens": reply.usage.prompt_tokens,
              "processing_time_ms": round((time.perf_counter() - began) * 1000),
              "context_used": context_used(prepared, reply)}  # fmt: skip
    return RecordExchange(owner_id=user, chat_id=chat_id, question=question, answer=answer,
                          asked_at=asked_at, tokens_used=reply.usage.total)  # fmt: skip


def _sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n"


def _stream(system: System, deltas: Iterator[Any], finish: Any) -> Iterator[str]:
    """Sends each piece as it comes, then stores the exchange and sends it as `done`."""
    try:
        for delta in deltas:
            if delta.text:
                yield _sse("delta", {"content": delta.text})
            if delta.reply is not None:
                ids = Commands(system).run(finish(delta.reply))
                with system.engine.connect() as conn:
                    yield _sse("done", _exchange(conn, ids))
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
    chat = _chat(reads, user, chat_id)
    if chat["status"] != "active":
        raise InvalidState("This chat is archived; restore it to continue.")
    _own_documents(reads, user, body.context_documents)
    system.limiter.check("ai", user)
    prepared = Tutor(reads, system.services.retriever).prepare(user, chat, body.model_dump(), now)
    billing_queries.check_quota(reads, user, "ai_tokens", prepared.prompt_tokens, now)
    llm = system.services.llm
    began = time.perf_counter()

    def finish(reply: ChatReply) -> RecordExchange:
        return _record(user, chat_id, body, prepared, reply, began, now)

    if EVENT_STREAM in request.headers.get("accept", ""):
        deltas = llm.stream_chat(prepared.request)
        first = next(deltas)  # a model that fails at once answers 503, not a broken stream
        stream = _stream(system, itertools.chain([first], deltas), finish)
        return StreamingResponse(stream, status_code=201, media_type=EVENT_STREAM)
    ids = bus.run(finish(llm.chat(prepared.request)))
    return _exchange(reads, ids)


@router.get("/chats/{chat_id}/messages/", response_model=PageOut[ChatMessageOut])
def list_messages(
    request: Request, chat_id: UUID, user: CurrentUser, reads: Reads, paging: Paging,
    type: MessageType | None = None, role: Literal["user", "assistant", "system"] | None = None,
    limit: Annotated[int | None, Query(ge=1, le=1000, description="Only the latest N.")] = None,
) -> PageOut[ChatMessageOut]:  # fmt: skip
    """List a chat's messages, oldest first; filter by `type` and `role`, or take the latest."""
    _chat(reads, user, chat_id)
    filters = {"message_type": type, "role": role}
    page = q.list_messages(reads, chat_id, paging.page, paging.page_size, filters, limit)
    result: PageOut[ChatMessageOut] = PageOut[ChatMessageOut].of(request, page, ChatMessageOut)
    return result


@router.post("/chats/{chat_id}/add_context/", status_code=201, response_model=ContextOut)
def add_context(
    chat_id: UUID, body: ContextCreate, user: CurrentUser, bus: Bus, reads: Reads
) -> ContextOut:
    """Give the chat notes or documents to draw on, by priority, until their expiration."""
    _chat(reads, user, chat_id)
    _own_documents(reads, user, body.document_ids)
    fields = body.model_dump(exclude={"expiration_date"}, mode="json")
    fields["expires_at"] = body.expiration_date
    context_id = bus.run(AddChatContext(owner_id=user, chat_id=chat_id, fields=fields))
    return ContextOut.model_validate(q.get_context(reads, context_id))


@router.get("/chats/{chat_id}/contexts/", response_model=list[ContextOut])
def list_contexts(chat_id: UUID, user: CurrentUser, reads: Reads, now: Now) -> list[ContextOut]:
    """The chat's contexts still in force, in the order answers heed them."""
    _chat(reads, user, chat_id)
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
    _own_course(reads, user, body.course)
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
