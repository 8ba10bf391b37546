"""Flashcards, their tags and their review history, as the API lists and shows them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from aksio.aggregates.flashcards.flashcard import DIFFICULTIES, Flashcard
from aksio.aggregates.flashcards.schedule import MASTERY_LEVELS, Schedule, mastery
from aksio.projections.accounts import users
from aksio.projections.base import Projection, Row, Rows, handles
from aksio.projections.courses import courses
from aksio.projections.db import UtcDateTime, metadata
from aksio.projections.paging import Page, paged

flashcards = sa.Table(
    "rm_flashcards",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("owner_id", sa.Uuid, nullable=False, index=True),
    sa.Column("course_id", sa.Uuid, index=True),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("answer", sa.Text, nullable=False),
    sa.Column("difficulty_level", sa.String, nullable=False),
    sa.Column("tags", sa.JSON, nullable=False),
    sa.Column("explanation", sa.Text),
    # The passage a generated card was drawn from: document id and name, page, section, excerpt.
    sa.Column("source", sa.JSON(none_as_null=True)),
    sa.Column("status", sa.String, nullable=False),
    sa.Column("external_id", sa.String),
    sa.Column("scheduler", sa.String, nullable=False),
    sa.Column("next_review_date", UtcDateTime, nullable=False, index=True),
    sa.Column("interval_days", sa.Integer, nullable=False),
    sa.Column("ease_factor", sa.Float, nullable=False),
    sa.Column("repetitions", sa.Integer, nullable=False),
    sa.Column("total_reviews", sa.Integer, nullable=False),
    sa.Column("successes", sa.Integer, nullable=False),
    sa.Column("lapses", sa.Integer, nullable=False),
    sa.Column("success_rate", sa.Float, nullable=False),
    sa.Column("mastery", sa.String, nullable=False),
    sa.Column("fsrs_state", sa.Integer, nullable=False),
    sa.Column("fsrs_step", sa.Integer),
    sa.Column("fsrs_stability", sa.Float),
    sa.Column("fsrs_difficulty", sa.Float),
    sa.Column("last_reviewed_at", UtcDateTime),
    sa.Column("review_seq", sa.Integer, nullable=False, default=0),
    sa.Column("created_at", UtcDateTime, nullable=False),
    # When the creation was stored: orders cards created at the same clock time.
    sa.Column("recorded_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

flashcard_tags = sa.Table(
    "rm_flashcard_tags",
    metadata,
    sa.Column("card_id", sa.Uuid, primary_key=True),
    sa.Column("tag", sa.String, primary_key=True, index=True),
    sa.Column("owner_id", sa.Uuid, nullable=False),
)

flashcard_reviews = sa.Table(
    "rm_flashcard_reviews",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("card_id", sa.Uuid, nullable=False, index=True),
    sa.Column("owner_id", sa.Uuid, nullable=False, index=True),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("quality", sa.Integer, nullable=False),
    sa.Column("rating", sa.Integer, nullable=False),
    sa.Column("success", sa.Boolean, nullable=False),
    sa.Column("reviewed_at", UtcDateTime, nullable=False),
    sa.Column("recorded_at", UtcDateTime, nullable=False),
    sa.Column("duration_ms", sa.Integer),
    sa.Column("user_answer", sa.Text),
    sa.Column("notes", sa.Text),
    sa.Column("scheduler", sa.String, nullable=False),
    sa.Column("before", sa.JSON, nullable=False),
    sa.Column("after", sa.JSON, nullable=False),
    sa.Column("undone", sa.Boolean, nullable=False, default=False),
    sa.Column("undone_at", UtcDateTime),
)

CONTENT = ("question", "answer", "difficulty_level", "explanation", "course_id", "source")


def schedule_columns(data: dict[str, Any]) -> Row:
    s = Schedule.from_dict(data)
    return {
        "scheduler": s.scheduler,
        "next_review_date": s.next_review_date,
        "interval_days": s.interval_days,
        "ease_factor": s.ease_factor,
        "repetitions": s.repetitions,
        "total_reviews": s.total_reviews,
        "successes": s.successes,
        "lapses": s.lapses,
        "success_rate": s.success_rate,
        "mastery": mastery(s.total_reviews, s.interval_days, s.ease_factor, s.success_rate),
        "fsrs_state": s.fsrs_state,
        "fsrs_step": s.fsrs_step,
        "fsrs_stability": s.fsrs_stability,
        "fsrs_difficulty": s.fsrs_difficulty,
        "last_reviewed_at": s.last_reviewed_at,
    }


class FlashcardsProjection(Projection):
    name = "flashcards"
    version = 2  # 2: cards keep their source passage
    tables = (flashcards, flashcard_tags, flashcard_reviews)

    @handles(Flashcard.Created)
    def created(self, e: Flashcard.Created, rows: Rows) -> None:
        content = {k: e.fields.get(k) for k in CONTENT}
        tags = list(e.fields.get("tags") or [])
        rows.put(
            flashcards,
            {
                **content,
                **schedule_columns(e.schedule),
                "id": e.originator_id,
                "owner_id": e.owner_id,
                "answer": content["answer"] or "",
                "difficulty_level": content["difficulty_level"] or "medium",
                "tags": tags,
                "status": "active",
                "external_id": e.external_id,
                "review_seq": 0,
                "created_at": e.created_at,
                "recorded_at": e.timestamp,
                "updated_at": e.created_at,
            },
        )
        self._put_tags(rows, e.originator_id, e.owner_id, tags)

    def _put_tags(self, rows: Rows, card_id: UUID, owner_id: UUID, tags: Sequence[str]) -> None:
        for tag in set(tags):
            rows.put(flashcard_tags, {"card_id": card_id, "tag": tag, "owner_id": owner_id})

    @handles(Flashcard.Updated)
    def updated(self, e: Flashcard.Updated, rows: Rows) -> None:
        card = rows.get(flashcards, e.originator_id)
        if card is None:
            return
        changes = {k: v for k, v in e.changes.items() if k in CONTENT}
        if "tags" in e.changes:
            for tag in set(card["tags"]):
                rows.delete(flashcard_tags, (e.originator_id, tag))
            changes["tags"] = list(e.changes["tags"] or [])
            self._put_tags(rows, e.originator_id, card["owner_id"], changes["tags"])
        rows.update(flashcards, e.originator_id, **changes, updated_at=e.updated_at)

    @handles(Flashcard.Archived)
    def archived(self, e: Flashcard.Archived, rows: Rows) -> None:
        rows.update(flashcards, e.originator_id, status="archived", updated_at=e.updated_at)

    @handles(Flashcard.Restored)
    def restored(self, e: Flashcard.Restored, rows: Rows) -> None:
        rows.update(flashcards, e.originator_id, status="active", updated_at=e.updated_at)

    @handles(Flashcard.Reviewed)
    def reviewed(self, e: Flashcard.Reviewed, rows: Rows) -> None:
        card = rows.get(flashcards, e.originator_id)
        if card is None:
            return
        seq = card["review_seq"] + 1
        rows.update(
            flashcards,
            e.originator_id,
            **schedule_columns(e.after),
            review_seq=seq,
            updated_at=e.recorded_at,
        )
        rows.put(
            flashcard_reviews,
            {
                "id": e.review_id,
                "card_id": e.originator_id,
                "owner_id": card["owner_id"],
                "seq": seq,
                "quality": e.quality,
                "rating": e.rating,
                "success": e.success,
                "reviewed_at": e.reviewed_at,
                "recorded_at": e.recorded_at,
                "duration_ms": e.duration_ms,
                "user_answer": e.user_answer,
                "notes": e.notes,
                "scheduler": e.scheduler,
                "before": e.before,
                "after": e.after,
                "undone": False,
                "undone_at": None,
            },
        )

    @handles(Flashcard.ReviewUndone)
    def review_undone(self, e: Flashcard.ReviewUndone, rows: Rows) -> None:
        restored = schedule_columns(e.restored)
        rows.update(flashcards, e.originator_id, **restored, updated_at=e.undone_at)
        rows.update(flashcard_reviews, e.review_id, undone=True, undone_at=e.undone_at)


# -- queries -------------------------------------------------------------------------
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


def get_flashcard_with_schedulers(
    conn: Connection, owner_id: UUID, card_id: UUID
) -> tuple[Row, str | None, str | None] | None:
    """The card with its course's and its owner's scheduler choices, in one query (the
    review route needs all three)."""
    query = (
        sa.select(
            flashcards, courses.c.scheduler.label("_course"), users.c.scheduler.label("_profile")
        )
        .select_from(
            flashcards.outerjoin(courses, courses.c.id == flashcards.c.course_id).outerjoin(
                users, users.c.id == flashcards.c.owner_id
            )
        )
        .where(flashcards.c.owner_id == owner_id, flashcards.c.id == card_id)
    )
    found = conn.execute(query).mappings().first()
    if found is None:
        return None
    row = dict(found)
    return row, row.pop("_course"), row.pop("_profile")


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


def get_review(conn: Connection, review_id: UUID) -> Row | None:
    query = sa.select(flashcard_reviews).where(flashcard_reviews.c.id == review_id)
    found = conn.execute(query).mappings().first()
    return dict(found) if found else None


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
