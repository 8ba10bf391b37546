"""Commands of the flashcards context that import cards with their review history: a CSV
review log or an Anki collection. A file imported again adds only what is new in it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from aksio.aggregates.courses.course import Course
from aksio.aggregates.flashcards.flashcard import Flashcard
from aksio.aggregates.flashcards.fsrs_adapter import FsrsSettings
from aksio.aggregates.flashcards.review_log import ImportedCard, ImportedReview
from aksio.commands.bus import Command, Handler, UnitOfWork
from aksio.commands.flashcards import scheduling_choices
from aksio.commands.references import own_course
from aksio.integrations.anki import ImportedDeck

PREFETCH = 1000  # cards of an earlier import brought up to date per query


@dataclass(frozen=True)
class ImportResult:
    cards_imported: int  # new cards
    reviews_imported: int  # reviews added, to new cards and to those of an earlier import
    flashcard_ids: list[UUID]  # the new cards
    cards_updated: int = 0  # cards of an earlier import that took new reviews


@dataclass(frozen=True, kw_only=True)
class ImportReviewLog(Command[ImportResult]):
    """A card whose id is in `present` (the owner's cards of earlier imports, by their id
    in the file) takes only its reviews after its latest one; the others are new cards."""

    owner_id: UUID
    cards: tuple[ImportedCard, ...]
    course_id: UUID | None = None
    scheduler: str = "sm2"
    present: Mapping[str, UUID] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class ImportAnkiCollection(Command[ImportResult]):
    """Each deck's new cards go into the owner's active course named after it (`named`),
    else into a new one, unless `course_id` names one for every card; cards in `present` are
    as in `ImportReviewLog`."""

    owner_id: UUID
    decks: tuple[ImportedDeck, ...]
    course_id: UUID | None = None
    scheduler: str = "sm2"
    present: Mapping[str, UUID] = field(default_factory=dict)
    named: Mapping[str, UUID] = field(default_factory=dict)


def _imported(
    owner_id: UUID,
    source: ImportedCard,
    now: datetime,
    course_id: UUID | None,
    scheduler: str,
    fsrs: FsrsSettings,
) -> Flashcard:
    fields: dict[str, Any] = {
        "question": source.question or f"Imported card {source.external_id}",
        "answer": source.answer or "",
        "difficulty_level": "medium",
        "tags": [],
        "explanation": None,
        "course_id": course_id,
    }
    card = Flashcard.create(
        owner_id, fields, now=now, scheduler=scheduler, external_id=source.external_id
    )
    _add_reviews(card, source.reviews, now, scheduler, fsrs)
    return card


def _add_reviews(
    card: Flashcard,
    reviews: Sequence[ImportedReview],
    now: datetime,
    scheduler: str,
    fsrs: FsrsSettings,
) -> None:
    """Each imported review, at its own time, recorded now."""
    for review in reviews:
        card.review(
            review.quality,
            reviewed_at=review.reviewed_at,
            recorded_at=now,
            scheduler=scheduler,
            duration_ms=review.duration_ms,
            fsrs=fsrs,
        )


def _result(cards: list[Flashcard], updated: list[Flashcard], added: int) -> ImportResult:
    return ImportResult(
        cards_imported=len(cards),
        reviews_imported=sum(len(card.reviews) for card in cards) + added,
        flashcard_ids=[card.id for card in cards],
        cards_updated=len(updated),
    )


def _updated(
    uow: UnitOfWork, owner_id: UUID, sources: list[ImportedCard], present: Mapping[str, UUID]
) -> tuple[list[Flashcard], int]:
    """The cards of an earlier import that these sources name, each given the source's
    reviews after its own latest (an archived card is left as it is); and how many reviews
    that adds. A review is scheduled as a live one would be, by the card's course or profile."""
    ids = [present[source.external_id] for source in sources]
    for start in range(0, len(ids), PREFETCH):
        uow.prefetch(change=ids[start : start + PREFETCH])
    now = uow.services.clock.now()
    updated: list[Flashcard] = []
    added = 0
    for source, card_id in zip(sources, ids, strict=True):
        card = uow.load(Flashcard, card_id, owner_id=owner_id)
        latest = max((review["at"] for review in card.reviews), default=None)
        later = sorted(
            (r for r in source.reviews if latest is None or r.reviewed_at > latest),
            key=lambda review: review.reviewed_at,
        )
        if card.status != "active" or not later:
            continue
        scheduler, fsrs = scheduling_choices(uow, card.owner_id, card.fields.get("course_id"))
        _add_reviews(card, later, now, scheduler, fsrs)
        updated.append(card)
        added += len(later)
    return updated, added


def import_review_log(cmd: ImportReviewLog, uow: UnitOfWork) -> ImportResult:
    """Every card and review is decided first, then all are saved together."""
    own_course(uow, cmd.owner_id, cmd.course_id)
    now = uow.services.clock.now()
    known = [source for source in cmd.cards if source.external_id in cmd.present]
    updated, added = _updated(uow, cmd.owner_id, known, cmd.present)
    _, fsrs = scheduling_choices(uow, cmd.owner_id, cmd.course_id)  # the fitted parameters, if any
    cards = [
        _imported(cmd.owner_id, source, now, cmd.course_id, cmd.scheduler, fsrs)
        for source in cmd.cards
        if source.external_id not in cmd.present
    ]
    uow.save(*cards, *updated)
    return _result(cards, updated, added)


def import_anki_collection(cmd: ImportAnkiCollection, uow: UnitOfWork) -> ImportResult:
    """The new courses and every card with its reviews are saved together: all or nothing."""
    own_course(uow, cmd.owner_id, cmd.course_id)
    now = uow.services.clock.now()
    courses: list[Course] = []
    cards: list[Flashcard] = []
    known: list[ImportedCard] = []
    for deck in cmd.decks:
        new = [source for source in deck.cards if source.external_id not in cmd.present]
        known += [source for source in deck.cards if source.external_id in cmd.present]
        course_id = cmd.course_id or cmd.named.get(deck.name)
        _, fsrs = scheduling_choices(uow, cmd.owner_id, course_id)  # a new course: the profile's
        if course_id is None and new:
            courses.append(Course.create(cmd.owner_id, {"name": deck.name}))
            course_id = courses[-1].id
        cards += [
            _imported(cmd.owner_id, source, now, course_id, cmd.scheduler, fsrs) for source in new
        ]
    updated, added = _updated(uow, cmd.owner_id, known, cmd.present)
    uow.save(*courses, *cards, *updated)
    return _result(cards, updated, added)


HANDLERS: dict[type[Any], Handler] = {
    ImportReviewLog: import_review_log,
    ImportAnkiCollection: import_anki_collection,
}
