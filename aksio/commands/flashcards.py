"""Commands of the flashcards context: cards, reviews, undo, review-log and Anki import."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from aksio.aggregates.accounts.user import User
from aksio.aggregates.courses.course import Course
from aksio.aggregates.flashcards.choices import choose_fsrs, choose_scheduler
from aksio.aggregates.flashcards.flashcard import Flashcard
from aksio.aggregates.flashcards.fsrs_adapter import FsrsSettings
from aksio.aggregates.flashcards.review_log import ImportedCard
from aksio.commands.bus import Command, Handler, UnitOfWork
from aksio.commands.references import own_course
from aksio.integrations.anki import ImportedDeck

PREFETCH = 1000  # cards of an earlier import brought up to date per query


@dataclass(frozen=True, kw_only=True)
class CreateFlashcard(Command[UUID]):
    owner_id: UUID
    fields: dict[str, Any]
    scheduler: str = "sm2"


@dataclass(frozen=True, kw_only=True)
class UpdateFlashcard(Command[None]):
    owner_id: UUID
    flashcard_id: UUID
    changes: dict[str, Any]
    status: str | None = None


@dataclass(frozen=True, kw_only=True)
class ArchiveFlashcard(Command[None]):
    owner_id: UUID
    flashcard_id: UUID


@dataclass(frozen=True, kw_only=True)
class ReviewFlashcard(Command[Flashcard.Reviewed]):
    """Answers with the stored review: the API answers from it, without the read models."""

    owner_id: UUID
    flashcard_id: UUID
    quality: int
    duration_ms: int | None = None
    user_answer: str | None = None
    notes: str | None = None


@dataclass(frozen=True, kw_only=True)
class UndoReview(Command[UUID]):
    owner_id: UUID
    flashcard_id: UUID


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


def create_flashcard(cmd: CreateFlashcard, uow: UnitOfWork) -> UUID:
    own_course(uow, cmd.owner_id, cmd.fields.get("course_id"))
    now = uow.services.clock.now()
    card = Flashcard.create(cmd.owner_id, cmd.fields, now=now, scheduler=cmd.scheduler)
    uow.save(card)
    return card.id


def update_flashcard(cmd: UpdateFlashcard, uow: UnitOfWork) -> None:
    card = uow.load(Flashcard, cmd.flashcard_id, owner_id=cmd.owner_id)
    own_course(uow, cmd.owner_id, cmd.changes.get("course_id"))
    now = uow.services.clock.now()
    card.update(cmd.changes, now)
    if cmd.status is not None:
        card.set_status(cmd.status, now)
    uow.save(card)


def archive_flashcard(cmd: ArchiveFlashcard, uow: UnitOfWork) -> None:
    card = uow.load(Flashcard, cmd.flashcard_id, owner_id=cmd.owner_id)
    card.set_status("archived", uow.services.clock.now())
    uow.save(card)


def review_flashcard(cmd: ReviewFlashcard, uow: UnitOfWork) -> Flashcard.Reviewed:
    known = uow.hint(cmd.flashcard_id)
    if isinstance(known, Flashcard):
        courses: list[UUID | None] = [known.fields.get("course_id")]
    else:  # the card's course is likely among its owner's courses cached here
        courses = list(uow.owned_hint(cmd.owner_id, Course))
    uow.prefetch(cmd.owner_id, *courses, change=[cmd.flashcard_id])  # mostly one query
    card = uow.load(Flashcard, cmd.flashcard_id, owner_id=cmd.owner_id)
    scheduler, fsrs = _review_choices(uow, card)
    now = uow.services.clock.now()
    card.review(
        cmd.quality,
        reviewed_at=now,
        recorded_at=now,
        scheduler=scheduler,
        duration_ms=cmd.duration_ms,
        user_answer=cmd.user_answer,
        notes=cmd.notes,
        fsrs=fsrs,
    )
    reviewed = card.pending_events[-1]
    assert isinstance(reviewed, Flashcard.Reviewed)
    uow.save(card)
    return reviewed


def _review_choices(uow: UnitOfWork, card: Flashcard) -> tuple[str, FsrsSettings]:
    """The scheduler and FSRS settings of the card's course, else of its owner's profile."""
    return _choices(uow, card.owner_id, card.fields.get("course_id"))


def _choices(uow: UnitOfWork, owner_id: UUID, course_id: UUID | None) -> tuple[str, FsrsSettings]:
    """The scheduler and FSRS settings of this course (if stored), else of the profile."""
    course = uow.peek(Course, course_id, owner_id=owner_id) if course_id else None
    user = uow.peek(User, owner_id, owner_id=owner_id)
    course_choice = course_fsrs = profile_choice = profile_fsrs = None
    if course is not None:
        course_choice = course.fields.get("scheduler")
        course_fsrs = _fsrs_of(course.fsrs_parameters, course.fields)
    if user is not None:
        profile_choice = user.profile.get("scheduler")
        profile_fsrs = _fsrs_of(user.fsrs_parameters, user.profile)
    return choose_scheduler(course_choice, profile_choice), choose_fsrs(course_fsrs, profile_fsrs)


def _fsrs_of(parameters: list[float] | None, fields: dict[str, Any]) -> dict[str, Any]:
    return {"fsrs_parameters": parameters, "desired_retention": fields.get("desired_retention")}


def undo_review(cmd: UndoReview, uow: UnitOfWork) -> UUID:
    card = uow.load(Flashcard, cmd.flashcard_id, owner_id=cmd.owner_id)
    review_id = card.undo_review(uow.services.clock.now())
    uow.save(card)
    return review_id


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
    for review in source.reviews:
        card.review(
            review.quality,
            reviewed_at=review.reviewed_at,
            recorded_at=now,
            scheduler=scheduler,
            duration_ms=review.duration_ms,
            fsrs=fsrs,
        )
    return card


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
        scheduler, fsrs = _review_choices(uow, card)
        for review in later:
            card.review(
                review.quality,
                reviewed_at=review.reviewed_at,
                recorded_at=now,
                scheduler=scheduler,
                duration_ms=review.duration_ms,
                fsrs=fsrs,
            )
        updated.append(card)
        added += len(later)
    return updated, added


def import_review_log(cmd: ImportReviewLog, uow: UnitOfWork) -> ImportResult:
    """Every card and review is decided first, then all are saved together."""
    own_course(uow, cmd.owner_id, cmd.course_id)
    now = uow.services.clock.now()
    known = [source for source in cmd.cards if source.external_id in cmd.present]
    updated, added = _updated(uow, cmd.owner_id, known, cmd.present)
    _, fsrs = _choices(uow, cmd.owner_id, cmd.course_id)  # the fitted parameters, if any
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
        _, fsrs = _choices(uow, cmd.owner_id, course_id)  # a new course: the profile's
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
    CreateFlashcard: create_flashcard,
    UpdateFlashcard: update_flashcard,
    ArchiveFlashcard: archive_flashcard,
    ReviewFlashcard: review_flashcard,
    UndoReview: undo_review,
    ImportReviewLog: import_review_log,
    ImportAnkiCollection: import_anki_collection,
}
