"""Queries of the flashcards read model: cards, due cards, reviews, statistics."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from aksio.aggregates.flashcards.flashcard import DIFFICULTIES
from aksio.aggregates.flashcards.schedule import MASTERY_LEVELS
from aksio.projections.engine.base import Row
from aksio.projections.engine.paging import Page, paged
from aksio.projections.flashcards.projection import flashcard_reviews, flashcard_tags, flashcards

CREATION_ORDER = (flashcards.c.created_at, flashcards.c.recorded_at, flashcards.c.id)


def _mine(owner_id: UUID) -> sa.Select[Any]:
    return sa.select(flashcards).where(flashcards.c.owner_id == owner_id)


def list_flashcards(
    conn: Connection,
    owner_id: UUID,
    page: int,
    page_size: int,
    *,
    course_id: UUID | None = None,
    difficulty_level: str | None = None,
    status: str | None = None,
    tags: Sequence[str] = (),
) -> Page:
    query = _mine(owner_id)
    if course_id is not None:
        query = query.where(flashcards.c.course_id == course_id)
    if difficulty_level:
        query = query.where(flashcards.c.difficulty_level == difficulty_level)
    if status:
        query = query.where(flashcards.c.status == status)
    if tags:
        tagged = sa.select(flashcard_tags.c.card_id).where(
            flashcard_tags.c.owner_id == owner_id, flashcard_tags.c.tag.in_(list(tags))
        )
        query = query.where(flashcards.c.id.in_(tagged))
    return paged(conn, query.order_by(*CREATION_ORDER), page, page_size)


def get_flashcard(conn: Connection, owner_id: UUID, card_id: UUID) -> Row | None:
    found = conn.execute(_mine(owner_id).where(flashcards.c.id == card_id)).mappings().first()
    return dict(found) if found else None


_REVIEW_LABELS = {f"r__{c.name}": c.name for c in flashcard_reviews.c}
_CARD_WITH_REVIEW = (
    sa.select(flashcards, *[c.label(f"r__{c.name}") for c in flashcard_reviews.c])
    .select_from(flashcards.join(flashcard_reviews, flashcard_reviews.c.card_id == flashcards.c.id))
    .where(
        flashcards.c.owner_id == sa.bindparam("owner_id"),
        flashcards.c.id == sa.bindparam("card_id"),
        flashcard_reviews.c.id == sa.bindparam("review_id"),
    )
)


def get_flashcard_with_review(
    conn: Connection, owner_id: UUID, card_id: UUID, review_id: UUID
) -> tuple[Row, Row] | None:
    """The card and one of its reviews, in one query (what a review answers with)."""
    params = {"owner_id": owner_id, "card_id": card_id, "review_id": review_id}
    found = conn.execute(_CARD_WITH_REVIEW, params).mappings().first()
    if found is None:
        return None
    card, review = dict(found), {}
    for label, name in _REVIEW_LABELS.items():
        review[name] = card.pop(label)
    return card, review


def list_due(
    conn: Connection,
    owner_id: UUID,
    now: datetime,
    *,
    course_id: UUID | None = None,
    limit: int | None = None,
) -> list[Row]:
    """Active cards due at `now`, the longest overdue first."""
    query = _mine(owner_id).where(
        flashcards.c.status == "active", flashcards.c.next_review_date <= now
    )
    if course_id is not None:
        query = query.where(flashcards.c.course_id == course_id)
    query = query.order_by(flashcards.c.next_review_date, *CREATION_ORDER)
    if limit is not None:
        query = query.limit(limit)
    return [dict(row) for row in conn.execute(query).mappings()]


def list_reviews(conn: Connection, card_id: UUID) -> list[Row]:
    """Every review of a card, in the order they were recorded."""
    query = sa.select(flashcard_reviews).where(flashcard_reviews.c.card_id == card_id)
    rows = conn.execute(query.order_by(flashcard_reviews.c.seq)).mappings()
    return [dict(row) for row in rows]


def review_history(
    conn: Connection, owner_id: UUID, course_id: UUID | None = None
) -> list[tuple[UUID, datetime, int]]:
    """(card, time, quality) of every review still standing, for scheduler evaluation."""
    r = flashcard_reviews
    query = sa.select(r.c.card_id, r.c.reviewed_at, r.c.quality).where(
        r.c.owner_id == owner_id, r.c.undone.is_(False)
    )
    if course_id is not None:
        query = query.join(flashcards, flashcards.c.id == r.c.card_id).where(
            flashcards.c.course_id == course_id
        )
    query = query.order_by(r.c.card_id, r.c.reviewed_at, r.c.seq)
    return [(row[0], row[1], row[2]) for row in conn.execute(query)]


def stats(conn: Connection, owner_id: UUID, now: datetime) -> dict[str, Any]:
    """Counts over every card of the owner; the success rate averages reviewed cards only."""
    f = flashcards
    active = f.c.status == "active"

    def count_if(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[Any]:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    totals = conn.execute(
        sa.select(
            sa.func.count(),
            count_if(active),
            count_if(sa.and_(active, f.c.next_review_date <= now)),
            count_if(f.c.mastery == "mastered"),
            sa.func.avg(sa.case((f.c.total_reviews > 0, f.c.success_rate), else_=None)),
        ).where(f.c.owner_id == owner_id)
    ).one()
    by_difficulty = _grouped(conn, owner_id, f.c.difficulty_level)
    by_mastery = _grouped(conn, owner_id, f.c.mastery)
    return {
        "total_flashcards": int(totals[0]),
        "active_flashcards": int(totals[1]),
        "due_flashcards": int(totals[2]),
        "mastered_flashcards": int(totals[3]),
        "average_success_rate": round(float(totals[4] or 0.0), 4),
        "by_difficulty": [
            {"difficulty_level": level, "count": by_difficulty.get(level, 0)}
            for level in DIFFICULTIES
        ],
        "by_mastery": [
            {"level": level, "count": by_mastery.get(level, 0)} for level in MASTERY_LEVELS
        ],
    }


def _grouped(conn: Connection, owner_id: UUID, column: sa.Column[Any]) -> dict[str, int]:
    query = (
        sa.select(column, sa.func.count()).where(flashcards.c.owner_id == owner_id).group_by(column)
    )
    return {str(key): int(n) for key, n in conn.execute(query)}


def imported_cards(conn: Connection, owner_id: UUID) -> dict[str, UUID]:
    """The owner's cards that came from an import, by their id in the imported file (the
    first made, should one id have come twice)."""
    query = (
        sa.select(flashcards.c.external_id, flashcards.c.id)
        .where(flashcards.c.owner_id == owner_id, flashcards.c.external_id.is_not(None))
        .order_by(*CREATION_ORDER)
    )
    found: dict[str, UUID] = {}
    for external_id, card_id in conn.execute(query):
        found.setdefault(external_id, card_id)
    return found
