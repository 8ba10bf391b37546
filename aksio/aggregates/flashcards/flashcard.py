"""A flashcard and its spaced-repetition history.

Lifecycle: created `active` and due at once; its content changes by `Updated`;
`Archived` (DELETE or PATCH of status) and `Restored` (PATCH back to active).
Each review of an active card is one `Reviewed` event holding the decided
schedule before and after it, so replay never re-runs a scheduler. `ReviewUndone`
takes back the latest review not yet undone and restores the schedule it replaced.
A schedule decided under older rules or other FSRS parameters is recomputed from the
card's standing reviews before a new review is decided (see `schedule.rebuild`).
A generated card keeps in its fields the `source` passage it was drawn from;
cards stored before sources were kept, and cards made by hand, have none.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, get_args
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from aksio.aggregates import values as v
from aksio.aggregates.flashcards import schedule as scheduling
from aksio.aggregates.flashcards.fsrs_adapter import DEFAULT, FsrsSettings, rating_for
from aksio.aggregates.flashcards.schedule import Schedule
from aksio.core.errors import InvalidState, ValidationFailed

CARD_FIELDS = (
    "question", "answer", "difficulty_level", "tags", "explanation", "course_id", "source",
)  # fmt: skip
Difficulty = Literal["easy", "medium", "hard"]
DIFFICULTIES: tuple[Difficulty, ...] = get_args(Difficulty)
CARD_RULES = {
    "question": v.text(required=True),
    "answer": v.text(),
    "difficulty_level": v.choice(*DIFFICULTIES),
    "tags": v.texts(),
    "explanation": v.text(nullable=True),
    "course_id": v.identifier(),
}


def check_fields(fields: dict[str, Any]) -> None:
    level = fields.get("difficulty_level")
    if level is not None and level not in DIFFICULTIES:
        raise ValidationFailed.field("difficulty_level", "Must be easy, medium or hard.")
    source = fields.get("source")
    if source is not None and not isinstance(source, dict):
        raise ValidationFailed.field("source", "Must be an object naming the source passage.")
    unknown = set(fields) - set(CARD_FIELDS)
    if unknown:
        raise ValidationFailed.field(sorted(unknown)[0], "Unknown field.")
    v.check({k: value for k, value in fields.items() if k in CARD_RULES}, CARD_RULES)


class Flashcard(Aggregate):
    TOPIC = "aksio.flashcard"

    class Created(Aggregate.Created):
        TOPIC = "aksio.flashcard.created"
        owner_id: UUID
        fields: dict[str, Any]
        created_at: datetime
        schedule: dict[str, Any]
        external_id: str | None

    class Updated(Aggregate.Event):
        TOPIC = "aksio.flashcard.updated"
        changes: dict[str, Any]
        updated_at: datetime

    class Archived(Aggregate.Event):
        TOPIC = "aksio.flashcard.archived"
        updated_at: datetime

    class Restored(Aggregate.Event):
        TOPIC = "aksio.flashcard.restored"
        updated_at: datetime

    class Reviewed(Aggregate.Event):
        TOPIC = "aksio.flashcard.reviewed"
        review_id: UUID
        quality: int
        rating: int
        success: bool
        reviewed_at: datetime
        recorded_at: datetime
        duration_ms: int | None
        user_answer: str | None
        notes: str | None
        scheduler: str
        parameters: dict[str, Any]
        before: dict[str, Any]
        after: dict[str, Any]

    class ReviewUndone(Aggregate.Event):
        TOPIC = "aksio.flashcard.review_undone"
        review_id: UUID
        restored: dict[str, Any]
        undone_at: datetime

    @event(Created)
    def __init__(
        self,
        owner_id: UUID,
        fields: dict[str, Any],
        created_at: datetime,
        schedule: dict[str, Any],
        external_id: str | None,
    ) -> None:
        self.owner_id = owner_id
        self.fields = dict(fields)
        self.created_at = created_at
        self.updated_at = created_at
        self.schedule = Schedule.from_dict(schedule)
        self.external_id = external_id
        self.status = "active"
        self.reviews: list[dict[str, Any]] = []

    @classmethod
    def create(
        cls,
        owner_id: UUID,
        fields: dict[str, Any],
        *,
        now: datetime,
        scheduler: str,
        external_id: str | None = None,
    ) -> Flashcard:
        check_fields(fields)
        if "question" not in fields:
            raise ValidationFailed.field("question", "This field is required.")
        start = scheduling.new_schedule(now, scheduler)
        return cls(
            owner_id=owner_id,
            fields=fields,
            created_at=now,
            schedule=start.to_dict(),
            external_id=external_id,
        )

    def update(self, changes: dict[str, Any], now: datetime) -> None:
        check_fields(changes)
        changed = {k: v for k, v in changes.items() if self.fields.get(k) != v}
        if changed:
            self._updated(changes=changed, updated_at=now)

    def set_status(self, status: str, now: datetime) -> None:
        if status not in ("active", "archived"):
            raise ValidationFailed.field("status", "Must be active or archived.")
        if status == self.status:
            return
        if status == "archived":
            self._archived(updated_at=now)
        else:
            self._restored(updated_at=now)

    def review(
        self,
        quality: int,
        *,
        reviewed_at: datetime,
        recorded_at: datetime,
        scheduler: str,
        duration_ms: int | None = None,
        user_answer: str | None = None,
        notes: str | None = None,
        fsrs: FsrsSettings = DEFAULT,
    ) -> UUID:
        """Records a review of quality 0..5 and schedules the next one; returns its id."""
        if self.status != "active":
            raise InvalidState("An archived flashcard cannot be reviewed.")
        if isinstance(quality, bool) or not isinstance(quality, int) or not 0 <= quality <= 5:
            raise ValidationFailed.field("quality_response", "Must be an integer from 0 to 5.")
        if scheduler not in scheduling.SCHEDULERS:
            raise ValidationFailed.field("scheduler", "Must be sm2 or fsrs.")
        current = self.schedule
        standing = [(r["quality"], r["at"]) for r in self.reviews if not r["undone"]]
        if standing and not scheduling.is_current(current, fsrs):
            current = scheduling.rebuild(self.created_at, standing, scheduler, fsrs)
        after = scheduling.review(current, quality, reviewed_at, scheduler, fsrs)
        review_id = uuid4()
        self._reviewed(
            review_id=review_id,
            quality=quality,
            rating=int(rating_for(quality)),
            success=quality >= 3,
            reviewed_at=reviewed_at,
            recorded_at=recorded_at,
            duration_ms=duration_ms,
            user_answer=user_answer,
            notes=notes,
            scheduler=scheduler,
            parameters=scheduling.scheduler_parameters(scheduler, fsrs),
            before=self.schedule.to_dict(),
            after=after.to_dict(),
        )
        return review_id

    def undo_review(self, now: datetime) -> UUID:
        """Takes back the latest review not yet undone; returns its id."""
        live = [r for r in self.reviews if not r["undone"]]
        if not live:
            raise InvalidState("This flashcard has no review to undo.")
        last = live[-1]
        self._review_undone(review_id=last["id"], restored=last["before"], undone_at=now)
        return UUID(str(last["id"]))

    @event(Updated)
    def _updated(self, changes: dict[str, Any], updated_at: datetime) -> None:
        self.fields.update(changes)
        self.updated_at = updated_at

    @event(Archived)
    def _archived(self, updated_at: datetime) -> None:
        self.status = "archived"
        self.updated_at = updated_at

    @event(Restored)
    def _restored(self, updated_at: datetime) -> None:
        self.status = "active"
        self.updated_at = updated_at

    @event(Reviewed)
    def _reviewed(
        self,
        review_id: UUID,
        quality: int,
        rating: int,
        success: bool,
        reviewed_at: datetime,
        recorded_at: datetime,
        duration_ms: int | None,
        user_answer: str | None,
        notes: str | None,
        scheduler: str,
        parameters: dict[str, Any],
        before: dict[str, Any],
        after: dict[str, Any],
    ) -> None:
        self.schedule = Schedule.from_dict(after)
        self.reviews.append(
            {
                "id": review_id,
                "before": before,
                "undone": False,
                "quality": quality,
                "at": reviewed_at,
            }
        )
        self.updated_at = recorded_at

    @event(ReviewUndone)
    def _review_undone(
        self, review_id: UUID, restored: dict[str, Any], undone_at: datetime
    ) -> None:
        self.schedule = Schedule.from_dict(restored)
        for entry in self.reviews:
            if entry["id"] == review_id:
                entry["undone"] = True
        self.updated_at = undone_at
