"""Flashcard, review, statistics, import and scheduler-evaluation schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import MISSING, BaseModel, Field

from aksio.aggregates.flashcards import fsrs_adapter
from aksio.aggregates.flashcards.flashcard import Difficulty
from aksio.aggregates.flashcards.fsrs_adapter import FsrsState
from aksio.aggregates.flashcards.schedule import Mastery, Scheduler
from aksio.api.schemas.common import Id, Strict

Status = Literal["active", "archived"]
Tag = Annotated[str, Field(min_length=1, max_length=50)]
Text = Annotated[str, Field(max_length=10_000)]


class FlashcardCreate(Strict):
    course: Id = Field(description="One of your courses.")
    question: str = Field(min_length=1, max_length=10_000)
    answer: str = Field(min_length=1, max_length=10_000)
    difficulty_level: Difficulty = "medium"
    tags: list[Tag] = Field(default_factory=list, max_length=50)
    explanation: Text | None = None


class FlashcardUpdate(Strict):
    course: Id | MISSING | None = Field(
        default=MISSING, description="Move the card to another course; null: to none."
    )
    question: str | MISSING = Field(default=MISSING, min_length=1, max_length=10_000)
    answer: str | MISSING = Field(default=MISSING, min_length=1, max_length=10_000)
    difficulty_level: Difficulty | MISSING = MISSING
    tags: list[Tag] | MISSING = Field(default=MISSING, max_length=50)
    explanation: Text | MISSING | None = MISSING
    status: Status | MISSING = Field(default=MISSING, description="`archived` archives the card.")


class Scheduling(BaseModel):
    next_review_date: datetime
    interval_days: int
    ease_factor: float
    repetitions: int
    total_reviews: int
    success_rate: float
    mastery: Mastery
    retrievability: float | None = Field(
        description="FSRS cards only: predicted probability of recall now (0..1)."
    )
    scheduler: Scheduler


def retrievability_of(row: dict[str, Any], now: datetime) -> float | None:
    if row["scheduler"] != "fsrs":
        return None
    state = FsrsState(
        state=row["fsrs_state"],
        step=row["fsrs_step"],
        stability=row["fsrs_stability"],
        difficulty=row["fsrs_difficulty"],
        last_review=row["last_reviewed_at"],
    )
    return round(fsrs_adapter.retrievability(state, now), 6)


class FlashcardOut(Scheduling):
    id: UUID
    course: UUID | None
    question: str
    answer: str
    difficulty_level: Difficulty
    tags: list[str]
    explanation: str | None
    source: dict[str, Any] | None = Field(
        description="Where a generated card came from, so it can be checked: `document_id`, "
        "`document_name`, `page`, `section` and the `excerpt` it was drawn from. Null for "
        "cards made by hand or imported."
    )
    status: Status
    last_reviewed_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: dict[str, Any], now: datetime) -> FlashcardOut:
        return cls.model_validate(
            {**row, "course": row["course_id"], "retrievability": retrievability_of(row, now)}
        )


class ReviewRequest(Strict):
    quality_response: int = Field(
        ge=0, le=5, description="0 = complete blackout ... 5 = perfect; 3 or more is a success."
    )
    response_time_seconds: float | None = Field(default=None, ge=0, le=86_400)
    user_answer: Text | None = None
    notes: Text | None = None


class ScheduleOut(BaseModel):
    """A card's full scheduling state: SM-2 fields and FSRS memory state side by side."""

    next_review_date: datetime
    scheduler: str
    interval_days: int
    ease_factor: float
    repetitions: int
    sm2_interval_days: int
    fsrs_state: int = Field(description="FSRS state: 1 learning, 2 review, 3 relearning.")
    fsrs_step: int | None
    fsrs_stability: float | None
    fsrs_difficulty: float | None
    fsrs_due: datetime | None
    last_reviewed_at: datetime | None
    total_reviews: int
    successes: int
    lapses: int


class ReviewOut(BaseModel):
    id: UUID
    flashcard: UUID
    quality_response: int
    rating: int = Field(description="The FSRS rating: 1 Again, 2 Hard, 3 Good, 4 Easy.")
    success: bool
    response_time_seconds: float | None
    user_answer: str | None
    notes: str | None
    scheduler: str
    reviewed_at: datetime
    recorded_at: datetime
    undone: bool
    undone_at: datetime | None
    before: ScheduleOut
    after: ScheduleOut

    @classmethod
    def of(cls, row: dict[str, Any]) -> ReviewOut:
        duration = row["duration_ms"]
        return cls.model_validate(
            {
                **row,
                "flashcard": row["card_id"],
                "quality_response": row["quality"],
                "response_time_seconds": duration / 1000 if duration is not None else None,
            }
        )


class ReviewResult(Scheduling):
    """The card's new scheduling fields and the review just recorded (or undone)."""

    id: UUID
    status: Status
    review: ReviewOut


class CountByDifficulty(BaseModel):
    difficulty_level: Difficulty
    count: int


class CountByMastery(BaseModel):
    level: Mastery
    count: int


class FlashcardStats(BaseModel):
    total_flashcards: int
    active_flashcards: int
    due_flashcards: int
    mastered_flashcards: int
    average_success_rate: float = Field(description="Mean success rate of reviewed cards.")
    by_difficulty: list[CountByDifficulty]
    by_mastery: list[CountByMastery]


class ImportOut(BaseModel):
    cards_imported: int = Field(description="New cards.")
    reviews_imported: int = Field(
        description="Reviews added: those of the new cards, and those of cards imported before "
        "that are later than the card's latest review."
    )
    cards_updated: int = Field(
        description="Cards of an earlier import (the same card id in the file) that took new "
        "reviews; such a card is never made twice."
    )
    course: UUID | None
    scheduler: Scheduler


class SchedulerScore(BaseModel):
    scheduler: Literal["sm2", "fsrs", "fsrs_fitted"] = Field(
        description="`fsrs_fitted`: FSRS with parameters fitted to the earlier reviews."
    )
    reviews_scored: int = Field(description="Reviews at least a day after the card's previous.")
    log_loss: float | None = Field(description="Mean binary cross-entropy; lower is better.")
    rmse_bins: float | None = Field(description="RMSE over srs-benchmark bins; lower is better.")
    auc: float | None = Field(description="Rank AUC of recall; null when only one outcome.")


class TimeSplit(BaseModel):
    split_at: datetime = Field(description="The median review at least a day after its card's.")
    results: list[SchedulerScore]


class SchedulerEvaluation(SchedulerScore):
    """The user's own scheduler's figures, with both schedulers side by side in `results`."""

    results: list[SchedulerScore]
    time_split: TimeSplit | None = Field(
        description="SM-2, default FSRS and FSRS fitted on the reviews before `split_at`, all "
        "scored on the reviews from it on; null below the history a fit needs."
    )


class OptimizeRequest(Strict):
    course: Id | None = Field(
        default=None, description="Fit to this course's reviews and keep them on the course."
    )


class OptimizeOut(BaseModel):
    """Parameters fitted to all your reviews, and how a fit on the earlier part scored."""

    parameters: list[float] = Field(description="FSRS-6 weights, now used for your FSRS cards.")
    reviews_used: int
    course: UUID | None
    split_at: datetime
    reviews_scored: int = Field(description="Long-term reviews from `split_at` on.")
    log_loss_before: float | None = Field(description="Default parameters, later reviews.")
    log_loss_after: float | None = Field(description="Fitted on earlier reviews, later ones.")
