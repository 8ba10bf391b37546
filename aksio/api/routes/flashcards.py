"""Flashcards: cards, spaced-repetition reviews, statistics, review-log import and evaluation."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile
from sqlalchemy.engine import Connection

from aksio.aggregates.flashcards.evaluation import ReviewRecord, evaluate
from aksio.aggregates.flashcards.flashcard import Difficulty, Flashcard
from aksio.aggregates.flashcards.review_log import parse_review_log
from aksio.api.deps import (
    Bus,
    CurrentUser,
    LoneBus,
    Now,
    Paging,
    Reads,
    SystemDep,
    page_links,
)
from aksio.api.schemas.common import ERRORS, PageOut
from aksio.api.schemas.flashcards import (
    FlashcardCreate,
    FlashcardOut,
    FlashcardStats,
    FlashcardUpdate,
    ImportOut,
    OptimizeOut,
    OptimizeRequest,
    ReviewOut,
    ReviewRequest,
    ReviewResult,
    SchedulerEvaluation,
    Status,
    retrievability_of,
)
from aksio.commands.flashcard_imports import ImportAnkiCollection, ImportReviewLog
from aksio.commands.flashcards import (
    ArchiveFlashcard,
    CreateFlashcard,
    ReviewFlashcard,
    UndoReview,
    UpdateFlashcard,
)
from aksio.commands.fsrs_parameters import KeepFsrsParameters
from aksio.core.errors import NotFound
from aksio.integrations import anki, fsrs_fit
from aksio.projections import courses as course_queries
from aksio.projections.flashcards import queries as q
from aksio.projections.flashcards.projection import review_columns, schedule_columns
from aksio.usecases.ownership import own_course
from aksio.usecases.scheduling import scheduler_for

router = APIRouter(prefix="/api/v1/assessments/flashcards", tags=["flashcards"], responses=ERRORS)
IMPORT_WAIT_S = 120.0


def _row(reads: Connection, user: UUID, card_id: UUID) -> dict[str, Any]:
    row = q.get_flashcard(reads, user, card_id)
    if row is None:
        raise NotFound("Flashcard")
    return row


def _result(reads: Connection, user: UUID, card_id: UUID, review_id: UUID, now: datetime) -> Any:
    found = q.get_flashcard_with_review(reads, user, card_id, review_id)
    if found is None:
        raise NotFound("Flashcard")
    card, review = found
    return ReviewResult.model_validate(
        {**FlashcardOut.of(card, now).model_dump(), "review": ReviewOut.of(review)}
    )


def _answer(reviewed: Flashcard.Reviewed, now: datetime) -> ReviewResult:
    """The review's answer from its event, as the read models show it once they have it (a
    reviewed card is active): the answer needs neither a wait for them nor a read back."""
    card = {**schedule_columns(reviewed.after), "id": reviewed.originator_id, "status": "active"}
    card["retrievability"] = retrievability_of(card, now)
    return ReviewResult.model_validate({**card, "review": ReviewOut.of(review_columns(reviewed))})


@router.post("/", status_code=201, response_model=FlashcardOut)
def create_flashcard(
    body: FlashcardCreate, user: CurrentUser, bus: Bus, reads: Reads, now: Now
) -> FlashcardOut:
    """Create a flashcard in one of your courses; it is due at once."""
    own_course(reads, user, body.course)
    fields = body.model_dump(exclude={"course"}) | {"course_id": body.course}
    scheduler = scheduler_for(reads, user, body.course)
    card_id = bus.run(CreateFlashcard(owner_id=user, fields=fields, scheduler=scheduler))
    return FlashcardOut.of(_row(reads, user, card_id), now)


@router.get("/", response_model=PageOut[FlashcardOut])
def list_flashcards(
    request: Request,
    user: CurrentUser,
    reads: Reads,
    paging: Paging,
    now: Now,
    course: UUID | None = None,
    difficulty_level: Difficulty | None = None,
    status: Status | None = None,
    tags: Annotated[
        list[str] | None,
        Query(description="Cards with any of these tags (repeat or comma-separate)."),
    ] = None,
) -> Any:
    """List your flashcards, oldest first."""
    wanted = [t.strip() for value in tags or [] for t in value.split(",") if t.strip()]
    page = q.list_flashcards(
        reads,
        user,
        paging.page,
        paging.page_size,
        course_id=course,
        difficulty_level=difficulty_level,
        status=status,
        tags=wanted,
    )
    return PageOut[FlashcardOut](
        count=page.count,
        results=[FlashcardOut.of(row, now) for row in page.rows],
        **page_links(request, page.page, page.has_next),
    )


@router.get("/due/", response_model=list[FlashcardOut])
def due_flashcards(
    user: CurrentUser,
    reads: Reads,
    now: Now,
    course: UUID | None = None,
    limit: Annotated[int | None, Query(ge=1, le=1000)] = None,
) -> list[FlashcardOut]:
    """Active cards due now, the longest overdue first (a JSON array)."""
    rows = q.list_due(reads, user, now, course_id=course, limit=limit)
    return [FlashcardOut.of(row, now) for row in rows]


@router.get("/stats/", response_model=FlashcardStats)
def flashcard_stats(user: CurrentUser, reads: Reads, now: Now) -> FlashcardStats:
    """Counts of your cards by status, due date, difficulty and mastery."""
    return FlashcardStats.model_validate(q.stats(reads, user, now))


@router.get("/scheduler_evaluation/", response_model=SchedulerEvaluation)
def scheduler_evaluation(
    user: CurrentUser, reads: Reads, course: UUID | None = None
) -> SchedulerEvaluation:
    """How well SM-2 and FSRS predict your own recall, replaying your review history."""
    if course is not None:
        own_course(reads, user, course)
    history = q.review_history(reads, user, course)
    records = [ReviewRecord(card, at, quality) for card, at, quality in history]
    figures = evaluate(records, scheduler_for(reads, user, course))
    split = fsrs_fit.time_split_scores(records)
    return SchedulerEvaluation.model_validate({**figures, "time_split": split})


@router.post("/optimize/", response_model=OptimizeOut)
def optimize_fsrs(body: OptimizeRequest, user: CurrentUser, bus: Bus, reads: Reads) -> OptimizeOut:
    """Fit FSRS parameters to your reviews (or a course's) and use them for its FSRS cards."""
    if body.course is not None:
        own_course(reads, user, body.course)
    history = q.review_history(reads, user, body.course)
    records = [ReviewRecord(card, at, quality) for card, at, quality in history]
    # The fit runs here, not in the handler, which the bus may retry.
    fit = fsrs_fit.optimize(records)
    bus.run(
        KeepFsrsParameters(
            owner_id=user,
            parameters=fit.parameters,
            reviews_used=fit.reviews_used,
            course_id=body.course,
        )
    )
    return OptimizeOut(
        parameters=list(fit.parameters),
        reviews_used=fit.reviews_used,
        course=body.course,
        split_at=fit.split_at,
        reviews_scored=fit.reviews_scored,
        log_loss_before=fit.log_loss_default,
        log_loss_after=fit.log_loss_fitted,
    )


@router.post("/import/", status_code=201, response_model=ImportOut)
def import_review_log(
    user: CurrentUser,
    reads: Reads,
    system: SystemDep,
    file: Annotated[UploadFile, File(description="CSV review log or Anki package (.apkg).")],
    course: Annotated[UUID | None, Form(description="Put the cards in this course.")] = None,
) -> ImportOut:
    """Import cards with their review history from a CSV review log or an Anki package; a
    file imported again adds only its new cards, and the reviews later than a known card's."""
    if course is not None:
        own_course(reads, user, course)
    scheduler = scheduler_for(reads, user, course)
    head = file.file.read(4)
    file.file.seek(0)
    command: ImportReviewLog | ImportAnkiCollection
    present = q.imported_cards(reads, user)  # a file imported again adds what is new in it
    if anki.is_package(file.filename, head):
        decks = tuple(anki.read_package(file.file))
        named = course_queries.active_courses_named(reads, user, [deck.name for deck in decks])
        command = ImportAnkiCollection(
            owner_id=user,
            decks=decks,
            course_id=course,
            scheduler=scheduler,
            present=present,
            named=named,
        )
    else:
        cards = tuple(parse_review_log(file.file.read()))
        command = ImportReviewLog(
            owner_id=user, cards=cards, course_id=course, scheduler=scheduler, present=present
        )
    outcome = system.bus.dispatch(command)
    if outcome.position:
        # A whole review log is a large batch for the read models: wait longer than usual.
        for _ in range(int(IMPORT_WAIT_S / system.settings.read_your_writes_timeout_s)):
            if system.wait_for(outcome.position):
                break
    result = outcome.value
    return ImportOut.model_validate(
        {
            "cards_imported": result.cards_imported,
            "reviews_imported": result.reviews_imported,
            "cards_updated": result.cards_updated,
            "course": course,
            "scheduler": scheduler,
        }
    )


@router.get("/{card_id}/", response_model=FlashcardOut)
def get_flashcard(card_id: UUID, user: CurrentUser, reads: Reads, now: Now) -> FlashcardOut:
    """Show one flashcard."""
    return FlashcardOut.of(_row(reads, user, card_id), now)


@router.patch("/{card_id}/", response_model=FlashcardOut)
def update_flashcard(
    card_id: UUID, body: FlashcardUpdate, user: CurrentUser, bus: Bus, reads: Reads, now: Now
) -> FlashcardOut:
    """Change a flashcard; `status: archived` archives it, `active` restores it."""
    changes = body.model_dump(exclude_unset=True)
    status = changes.pop("status", None)
    if "course" in changes:
        course = changes.pop("course")
        if course is not None:
            own_course(reads, user, course)
        changes["course_id"] = course
    command = UpdateFlashcard(owner_id=user, flashcard_id=card_id, changes=changes, status=status)
    bus.run(command)
    return FlashcardOut.of(_row(reads, user, card_id), now)


@router.delete("/{card_id}/", status_code=204, response_class=Response)
def archive_flashcard(card_id: UUID, user: CurrentUser, bus: Bus) -> Response:
    """Archive a flashcard (its history stays; PATCH `status: active` restores it)."""
    bus.run(ArchiveFlashcard(owner_id=user, flashcard_id=card_id))
    return Response(status_code=204)


@router.post("/{card_id}/review/", response_model=ReviewResult)
def review_flashcard(
    card_id: UUID, body: ReviewRequest, user: CurrentUser, bus: LoneBus, now: Now
) -> Response:
    """Record a review (quality 0-5) and schedule the card's next review."""
    seconds = body.response_time_seconds
    reviewed = bus.run(
        ReviewFlashcard(
            owner_id=user,
            flashcard_id=card_id,
            quality=body.quality_response,
            duration_ms=round(seconds * 1000) if seconds is not None else None,
            user_answer=body.user_answer,
            notes=body.notes,
        )
    )
    # Serialized here, once: the answer is built from its schema already.
    return Response(_answer(reviewed, now).model_dump_json(), media_type="application/json")


@router.post("/{card_id}/undo_review/", response_model=ReviewResult)
def undo_review(card_id: UUID, user: CurrentUser, bus: Bus, reads: Reads, now: Now) -> Any:
    """Take back the card's latest review and restore the schedule it replaced."""
    review_id = bus.run(UndoReview(owner_id=user, flashcard_id=card_id))
    return _result(reads, user, card_id, review_id, now)


@router.get("/{card_id}/history/", response_model=list[ReviewOut])
def review_history(card_id: UUID, user: CurrentUser, reads: Reads) -> list[ReviewOut]:
    """Every review of the card, oldest first, with its scheduling before and after."""
    _row(reads, user, card_id)
    return [ReviewOut.of(row) for row in q.list_reviews(reads, card_id)]
