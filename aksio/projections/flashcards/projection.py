"""Flashcards, their tags and their review history, as the API lists and shows them
(the queries are in `flashcards_queries`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from eventsourcing.domain import DomainEvent

from aksio.aggregates.flashcards.flashcard import Flashcard
from aksio.aggregates.flashcards.schedule import Schedule, mastery
from aksio.projections.engine.base import Projection, Row, Rows, handles
from aksio.projections.engine.db import UtcDateTime, metadata

flashcards = sa.Table(
    "rm_flashcards",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("owner_id", sa.Uuid, nullable=False),
    sa.Column("course_id", sa.Uuid),
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
    sa.Column("next_review_date", UtcDateTime, nullable=False),
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
    # The one secondary index: every query is one owner's (a course filter narrows their
    # cards), and each review changes `next_review_date`, so the row moves and every index
    # of the table is written again per review.
    sa.Index("ix_rm_flashcards_owner_due", "owner_id", "next_review_date"),
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


def review_columns(e: Flashcard.Reviewed) -> Row:
    """A new review's row as its event gives it (the projection adds the owner and the
    review's number); the API's answer to the review is made from the same columns."""
    return {
        "id": e.review_id,
        "card_id": e.originator_id,
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
    }


class FlashcardsProjection(Projection):
    name = "flashcards"
    version = 3  # 2: cards keep their source passage; 3: one index, owner and due date
    tables = (flashcards, flashcard_tags, flashcard_reviews)

    def needs(self, event: DomainEvent) -> tuple[sa.Table, Any] | None:
        if isinstance(event, Flashcard.Reviewed | Flashcard.Updated):
            return flashcards, event.originator_id
        return None

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
        rows.put(flashcard_reviews, {**review_columns(e), "owner_id": card["owner_id"], "seq": seq})

    @handles(Flashcard.ReviewUndone)
    def review_undone(self, e: Flashcard.ReviewUndone, rows: Rows) -> None:
        restored = schedule_columns(e.restored)
        rows.update(flashcards, e.originator_id, **restored, updated_at=e.undone_at)
        rows.update(flashcard_reviews, e.review_id, undone=True, undone_at=e.undone_at)
