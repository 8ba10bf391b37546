"""Parses an exported review log (CSV) into cards with their reviews: pure and all-or-nothing.

Columns: `card_id, review_rating (1-4), review_time (ISO 8601), review_duration (ms)`,
optionally `question, answer`. Every row is checked before anything is returned,
so a malformed file is refused whole. A rating r counts as SM-2 quality r + 1.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aksio.core.errors import ValidationFailed

REQUIRED = ("card_id", "review_rating", "review_time", "review_duration")
MAX_PROBLEMS = 20
MAX_REVIEWS = 200_000


@dataclass(frozen=True)
class ImportedReview:
    reviewed_at: datetime
    rating: int
    duration_ms: int | None

    @property
    def quality(self) -> int:
        return self.rating + 1


@dataclass
class ImportedCard:
    external_id: str
    question: str | None = None
    answer: str | None = None
    reviews: list[ImportedReview] = field(default_factory=list)


def _time(text: str) -> datetime:
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _row(row: dict[str, str | None]) -> tuple[str, ImportedReview]:
    card_id = (row.get("card_id") or "").strip()
    if not card_id:
        raise ValueError("card_id is empty")
    rating_text = (row.get("review_rating") or "").strip()
    if rating_text not in ("1", "2", "3", "4"):
        raise ValueError("review_rating must be 1, 2, 3 or 4")
    try:
        reviewed_at = _time(row.get("review_time") or "")
    except ValueError:
        raise ValueError("review_time must be an ISO 8601 date and time") from None
    duration_text = (row.get("review_duration") or "").strip()
    if duration_text and not (duration_text.isascii() and duration_text.isdigit()):
        raise ValueError("review_duration must be a whole number of milliseconds")
    duration = int(duration_text) if duration_text else None
    return card_id, ImportedReview(reviewed_at, int(rating_text), duration)


def _reader(data: bytes) -> csv.DictReader[str]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed.field("file", "The file is not UTF-8 text.") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise ValidationFailed.field("file", f"Missing columns: {', '.join(missing)}.")
    reader.fieldnames = columns
    return reader


def parse_review_log(data: bytes) -> list[ImportedCard]:
    """The file's cards in order of first appearance, each with its reviews in time order."""
    reader = _reader(data)
    cards: dict[str, ImportedCard] = {}
    problems: list[str] = []
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise ValidationFailed.field("file", f"Not a readable CSV file: {exc}.") from None
    if len(rows) > MAX_REVIEWS:
        raise ValidationFailed.field("file", f"At most {MAX_REVIEWS} reviews per import.")
    for number, row in enumerate(rows, start=2):
        if None in row:
            problems.append(f"row {number}: too many values")
            continue
        try:
            card_id, review = _row(row)
        except ValueError as exc:
            problems.append(f"row {number}: {exc}")
            continue
        card = cards.setdefault(card_id, ImportedCard(card_id))
        card.question = card.question or (row.get("question") or "").strip() or None
        card.answer = card.answer or (row.get("answer") or "").strip() or None
        card.reviews.append(review)
    if problems:
        shown = problems[:MAX_PROBLEMS]
        more = len(problems) - len(shown)
        raise ValidationFailed(
            "The review log is malformed; nothing was imported.",
            {"file": shown + ([f"... and {more} more problems"] if more else [])},
        )
    if not cards:
        raise ValidationFailed.field("file", "The review log has no reviews.")
    for card in cards.values():
        card.reviews.sort(key=lambda review: review.reviewed_at)
    return list(cards.values())
