"""Commands of the flashcards context: cards, reviews and undo (imports: `flashcard_imports`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from aksio.aggregates.accounts.user import User
from aksio.aggregates.courses.course import Course
from aksio.aggregates.flashcards.choices import choose_fsrs, choose_scheduler
from aksio.aggregates.flashcards.flashcard import Flashcard
from aksio.aggregates.flashcards.fsrs_adapter import FsrsSettings
from aksio.commands.bus import Command, Handler, UnitOfWork
from aksio.commands.references import own_course


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
    return scheduling_choices(uow, card.owner_id, card.fields.get("course_id"))


def scheduling_choices(
    uow: UnitOfWork, owner_id: UUID, course_id: UUID | None
) -> tuple[str, FsrsSettings]:
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


HANDLERS: dict[type[Any], Handler] = {
    CreateFlashcard: create_flashcard,
    UpdateFlashcard: update_flashcard,
    ArchiveFlashcard: archive_flashcard,
    ReviewFlashcard: review_flashcard,
    UndoReview: undo_review,
}
