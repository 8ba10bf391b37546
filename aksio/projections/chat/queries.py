"""Queries of the chat read model, and the course results that adaptive generation reads."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from aksio.projections.chat.projection import chats, concepts, contexts, gaps, messages, sessions
from aksio.projections.engine.base import Row
from aksio.projections.engine.paging import Page, first_row, paged
from aksio.projections.flashcards.projection import flashcards
from aksio.projections.quizzes import attempts, quizzes


def get_chat(conn: Connection, owner_id: UUID, chat_id: UUID) -> Row | None:
    return first_row(
        conn, sa.select(chats).where(chats.c.id == chat_id, chats.c.owner_id == owner_id)
    )


def list_chats(
    conn: Connection, owner_id: UUID, page: int, page_size: int, filters: dict[str, Any]
) -> Page:
    """Pinned chats first, then by latest activity."""
    query = sa.select(chats).where(chats.c.owner_id == owner_id)
    for column, value in filters.items():
        if value is not None:
            query = query.where(chats.c[column] == value)
    order = (chats.c.is_pinned.desc(), chats.c.updated_at.desc(), chats.c.id)
    return paged(conn, query.order_by(*order), page, page_size)


def get_message(conn: Connection, message_id: UUID) -> Row | None:
    return first_row(conn, sa.select(messages).where(messages.c.id == message_id))


def list_messages(
    conn: Connection, chat_id: UUID, page: int, page_size: int, filters: dict[str, Any],
    limit: int | None = None,
) -> Page:  # fmt: skip
    """Oldest first; with `limit`, only the latest `limit` of them."""
    query = sa.select(messages).where(messages.c.chat_id == chat_id)
    for column, value in filters.items():
        if value is not None:
            query = query.where(messages.c[column] == value)
    if limit is not None:
        latest = query.order_by(messages.c.seq.desc()).limit(limit).subquery()
        query = sa.select(latest)
        return paged(conn, query.order_by(latest.c.seq), page, page_size)
    return paged(conn, query.order_by(messages.c.seq), page, page_size)


def recent_turns(conn: Connection, chat_id: UUID, count: int) -> list[Row]:
    """The latest `count` messages, oldest first: the conversation a new answer continues."""
    query = sa.select(messages.c.role, messages.c.content).where(messages.c.chat_id == chat_id)
    rows = conn.execute(query.order_by(messages.c.seq.desc()).limit(count)).mappings().all()
    return [dict(r) for r in reversed(rows)]


def active_contexts(conn: Connection, chat_id: UUID, now: datetime) -> list[Row]:
    """Contexts not yet expired, most important first, then newest."""
    c = contexts
    query = sa.select(c).where(
        c.c.chat_id == chat_id, sa.or_(c.c.expiration_date.is_(None), c.c.expiration_date > now)
    )
    order = (c.c.priority_rank.desc(), c.c.created_at.desc(), c.c.id)
    return [dict(r) for r in conn.execute(query.order_by(*order)).mappings()]


def get_context(conn: Connection, context_id: UUID) -> Row | None:
    return first_row(conn, sa.select(contexts).where(contexts.c.id == context_id))


def get_session(conn: Connection, owner_id: UUID, session_id: UUID) -> Row | None:
    s = sessions
    return first_row(conn, sa.select(s).where(s.c.id == session_id, s.c.owner_id == owner_id))


def list_sessions(
    conn: Connection, owner_id: UUID, page: int, page_size: int, filters: dict[str, Any]
) -> Page:
    query = sa.select(sessions).where(sessions.c.owner_id == owner_id)
    for column, value in filters.items():
        if value is not None:
            query = query.where(sessions.c[column] == value)
    order = (sessions.c.created_at, sessions.c.id)
    return paged(conn, query.order_by(*order), page, page_size)


def _count(conn: Connection, query: sa.Select[Any]) -> int:
    return int(conn.execute(query).scalar() or 0)


def chat_stats(conn: Connection, owner_id: UUID) -> dict[str, Any]:
    mine = chats.c.owner_id == owner_id
    totals = conn.execute(
        sa.select(
            sa.func.count(), sa.func.coalesce(sa.func.sum(chats.c.message_count), 0),
            sa.func.coalesce(sa.func.sum(chats.c.total_tokens), 0),
            sa.func.count().filter(chats.c.status == "active"),
            sa.func.count().filter(chats.c.is_favorite.is_(True)),
            sa.func.count().filter(chats.c.is_pinned.is_(True)),
        ).where(mine)
    ).one()  # fmt: skip
    answers = sa.select(sa.func.count()).where(
        messages.c.owner_id == owner_id, messages.c.role == "assistant"
    )
    average = conn.execute(
        sa.select(sa.func.avg(messages.c.processing_time_ms)).where(
            messages.c.owner_id == owner_id, messages.c.role == "assistant"
        )
    ).scalar()
    by_type = conn.execute(
        sa.select(chats.c.chat_type, sa.func.count()).where(mine).group_by(chats.c.chat_type)
    ).all()
    return {
        "total_chats": int(totals[0]), "total_messages": int(totals[1]),
        "total_tokens_used": int(totals[2]), "active_chats": int(totals[3]),
        "favorite_chats": int(totals[4]), "pinned_chats": int(totals[5]),
        "average_response_time_ms": round(float(average or 0)),
        "by_type": sorted(({"chat_type": t, "count": int(n)} for t, n in by_type),
                          key=lambda item: (-item["count"], item["chat_type"])),
        "learning_insights": {
            "concepts_discussed": _count(conn, sa.select(sa.func.count()).where(
                concepts.c.owner_id == owner_id)),
            "problems_solved": _count(conn, answers.where(messages.c.answers_type == "problem")),
            "questions_answered": _count(conn, answers.where(
                messages.c.answers_type == "question")),
            "knowledge_gaps_identified": _count(conn, sa.select(sa.func.count()).where(
                gaps.c.owner_id == owner_id)),
        },
    }  # fmt: skip


def course_performance(conn: Connection, owner_id: UUID, course_id: UUID) -> dict[str, Any]:
    """The user's own results in a course: card success rates, quiz scores, weak tags."""
    cards = conn.execute(
        sa.select(flashcards.c.success_rate, flashcards.c.mastery, flashcards.c.tags).where(
            flashcards.c.owner_id == owner_id, flashcards.c.course_id == course_id,
            flashcards.c.total_reviews > 0,
        )
    ).all()  # fmt: skip
    results = conn.execute(
        sa.select(attempts.c.result)
        .join(quizzes, quizzes.c.id == attempts.c.quiz_id)
        .where(attempts.c.owner_id == owner_id, quizzes.c.course_id == course_id,
               attempts.c.status == "completed")
    ).scalars().all()  # fmt: skip
    scores = [float(r["percentage_score"]) / 100 for r in results if r and "percentage_score" in r]
    weak: dict[str, int] = {}
    for card in cards:
        if card.mastery == "difficult":
            for tag in card.tags or []:
                if tag != "generated":
                    weak[tag] = weak.get(tag, 0) + 1
    return {
        "cards_reviewed": len(cards),
        "card_success_rate": sum(c.success_rate for c in cards) / len(cards) if cards else None,
        "quizzes_completed": len(scores),
        "quiz_score": sum(scores) / len(scores) if scores else None,
        "weak_topics": sorted(weak, key=lambda t: (-weak[t], t))[:5],
    }
