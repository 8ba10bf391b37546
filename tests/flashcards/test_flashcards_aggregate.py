"""The Flashcard aggregate, given/when/then, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.domain import Aggregate

from aksio.aggregates.flashcards import fsrs_adapter, sm2
from aksio.aggregates.flashcards.flashcard import Flashcard
from aksio.aggregates.flashcards.schedule import Schedule, new_schedule
from aksio.core.errors import InvalidState, ValidationFailed

T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
FIELDS = {
    "question": "Capital of France?",
    "answer": "Paris",
    "difficulty_level": "easy",
    "tags": ["geo"],
    "explanation": None,
    "course_id": uuid4(),
}


def new_card(scheduler: str = "sm2") -> Flashcard:
    card = Flashcard.create(uuid4(), FIELDS, now=T0, scheduler=scheduler)
    card.collect_events()
    return card


def review(card: Flashcard, quality: int, at: datetime, scheduler: str = "sm2") -> Any:
    card.review(quality, reviewed_at=at, recorded_at=at, scheduler=scheduler)
    (event,) = card.collect_events()
    return event


def replay(events: list[Any]) -> Flashcard:
    aggregate: Aggregate | None = None
    for stored in events:
        aggregate = stored.mutate(aggregate)
    assert isinstance(aggregate, Flashcard)
    return aggregate


def test_a_new_card_is_due_at_once_with_sm2_defaults():
    card = Flashcard.create(uuid4(), FIELDS, now=T0, scheduler="sm2")
    (created,) = card.collect_events()
    s = card.schedule
    assert isinstance(created, Flashcard.Created)
    assert (s.next_review_date, s.interval_days, s.ease_factor, s.repetitions) == (T0, 0, 2.5, 0)
    assert (s.total_reviews, s.success_rate, card.status) == (0, 0.0, "active")


def test_sm2_review_records_both_states_before_and_after():
    card = new_card()
    event = review(card, 4, T0 + timedelta(hours=1))
    assert isinstance(event, Flashcard.Reviewed)
    assert (event.quality, event.rating, event.success, event.scheduler) == (4, 3, True, "sm2")
    assert event.parameters == sm2.PARAMETERS
    assert Schedule.from_dict(event.before) == new_schedule(T0, "sm2")
    after = Schedule.from_dict(event.after)
    assert after.next_review_date == T0 + timedelta(hours=1, days=1)
    assert (after.interval_days, after.repetitions, after.total_reviews) == (1, 1, 1)
    # FSRS is kept current too, so the card may switch scheduler later
    assert after.fsrs_stability is not None and after.fsrs_difficulty is not None
    assert (after.fsrs_state, after.fsrs_step) == (1, 1)
    assert card.schedule == after


def test_fsrs_review_sets_the_date_and_still_moves_sm2():
    card = new_card("fsrs")
    event = review(card, 4, T0, scheduler="fsrs")
    assert event.parameters == fsrs_adapter.parameters()
    s = card.schedule
    assert s.next_review_date == T0 + timedelta(minutes=10)  # the second learning step
    assert (s.scheduler, s.interval_days, s.sm2_interval_days, s.repetitions) == ("fsrs", 0, 1, 1)


def test_switching_scheduler_uses_the_state_kept_all_along():
    card = new_card()
    review(card, 4, T0)
    review(card, 4, T0 + timedelta(days=1))
    review(card, 4, T0 + timedelta(days=7), scheduler="fsrs")
    s = card.schedule
    assert s.fsrs_state == 2  # review state reached through the SM-2-driven reviews
    assert s.next_review_date == s.fsrs_due
    assert s.interval_days == (s.next_review_date - (T0 + timedelta(days=7))).days > 1
    assert (s.sm2_interval_days, s.repetitions) == (15, 3)


def test_failures_count_and_lapses():
    card = new_card()
    for day, quality in enumerate([4, 4, 1, 4]):
        review(card, quality, T0 + timedelta(days=day))
    s = card.schedule
    assert (s.total_reviews, s.successes, s.lapses, s.success_rate) == (4, 3, 1, 0.75)


def test_an_archived_card_cannot_be_reviewed_until_restored():
    card = new_card()
    card.set_status("archived", T0)
    with pytest.raises(InvalidState):
        card.review(4, reviewed_at=T0, recorded_at=T0, scheduler="sm2")
    card.set_status("active", T0)
    card.review(4, reviewed_at=T0, recorded_at=T0, scheduler="sm2")
    kinds = [type(e).__name__ for e in card.collect_events()]
    assert kinds == ["Archived", "Restored", "Reviewed"]


@pytest.mark.parametrize("quality", [-1, 6, 7])
def test_quality_outside_range_is_refused(quality: int):
    card = new_card()
    with pytest.raises(ValidationFailed):
        card.review(quality, reviewed_at=T0, recorded_at=T0, scheduler="sm2")
    assert card.collect_events() == []


def test_undo_restores_the_replaced_schedule_one_review_at_a_time():
    card = new_card()
    first = review(card, 4, T0)
    second = review(card, 2, T0 + timedelta(days=1))
    card.undo_review(T0 + timedelta(days=1, hours=1))
    (undone,) = card.collect_events()
    assert isinstance(undone, Flashcard.ReviewUndone)
    assert undone.review_id == second.review_id
    assert card.schedule == Schedule.from_dict(first.after)
    assert card.undo_review(T0 + timedelta(days=2)) == first.review_id
    assert card.schedule == new_schedule(T0, "sm2")
    with pytest.raises(InvalidState):
        card.undo_review(T0 + timedelta(days=2))


def test_a_review_after_an_undo_is_the_next_to_undo():
    card = new_card()
    first = review(card, 4, T0)
    review(card, 5, T0 + timedelta(days=1))
    card.undo_review(T0 + timedelta(days=1))
    card.collect_events()
    third = review(card, 3, T0 + timedelta(days=2))
    assert third.before == first.after
    assert card.undo_review(T0 + timedelta(days=2)) == third.review_id
    assert card.schedule == Schedule.from_dict(first.after)


def test_replay_gives_the_same_card_without_rescheduling():
    card = Flashcard.create(uuid4(), FIELDS, now=T0, scheduler="sm2")
    card.review(4, reviewed_at=T0, recorded_at=T0, scheduler="sm2")
    card.review(5, reviewed_at=T0 + timedelta(days=1), recorded_at=T0, scheduler="fsrs")
    card.undo_review(T0 + timedelta(days=2))
    card.update({"question": "Capital of Italy?", "answer": "Rome"}, T0 + timedelta(days=3))
    events = card.collect_events()
    again = replay(events)
    assert again.schedule == card.schedule
    assert again.reviews == card.reviews
    assert (again.fields, again.status, again.updated_at) == (
        card.fields,
        "active",
        card.updated_at,
    )


def test_bad_content_is_refused():
    with pytest.raises(ValidationFailed):
        Flashcard.create(
            uuid4(), {**FIELDS, "difficulty_level": "trivial"}, now=T0, scheduler="sm2"
        )
    card = new_card()
    with pytest.raises(ValidationFailed):
        card.update({"colour": "red"}, T0)
    card.update({"question": FIELDS["question"]}, T0)
    assert card.collect_events() == []  # nothing changed, nothing recorded
