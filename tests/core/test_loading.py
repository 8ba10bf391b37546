"""Loading aggregates for commands: several brought up to date with one query, and a card a
command changes is its own until saved (see `aksio.core.loading`). On both stores."""

from __future__ import annotations

from uuid import UUID, uuid4

from aksio.aggregates.courses.course import Course
from aksio.aggregates.flashcards.flashcard import Flashcard
from aksio.bootstrap import System
from aksio.commands.bus import UnitOfWork
from aksio.commands.courses import CreateCourse, UpdateCourse
from aksio.commands.flashcards import CreateFlashcard, ReviewFlashcard

CARD = {"question": "Q?", "answer": "A", "difficulty_level": "medium", "tags": []}


def course_and_card(system: System, owner: UUID) -> tuple[UUID, UUID]:
    course = system.bus.dispatch(CreateCourse(owner_id=owner, fields={"name": "Cells"})).value
    fields = {**CARD, "course_id": course}
    return course, system.bus.dispatch(CreateFlashcard(owner_id=owner, fields=fields)).value


def review(system: System, owner: UUID, card: UUID, quality: int) -> None:
    system.bus.dispatch(ReviewFlashcard(owner_id=owner, flashcard_id=card, quality=quality))


def test_one_call_brings_every_cached_aggregate_up_to_date(pair: tuple[System, System]) -> None:
    first, second = pair
    owner = uuid4()
    course, card = course_and_card(first, owner)
    first.store.loader.fresh([course, card])  # both now cached in `first`
    review(second, owner, card, 4)
    second.bus.dispatch(UpdateCourse(owner_id=owner, course_id=course, changes={"credits": 4}))

    found = first.store.loader.fresh([course, card, uuid4()])
    assert isinstance(found[card], Flashcard) and found[card].version == 2
    assert isinstance(found[course], Course) and found[course].fields["credits"] == 4
    assert len(found) == 3 and list(found.values())[2] is None  # no such aggregate


def test_a_review_decides_on_the_course_as_another_process_left_it(
    pair: tuple[System, System],
) -> None:
    first, second = pair
    owner = uuid4()
    course, card = course_and_card(first, owner)
    review(first, owner, card, 4)  # `first` caches the card and the course
    second.bus.dispatch(
        UpdateCourse(owner_id=owner, course_id=course, changes={"scheduler": "fsrs"})
    )
    reviewed = first.bus.dispatch(ReviewFlashcard(owner_id=owner, flashcard_id=card, quality=4))
    assert reviewed.value.scheduler == "fsrs"


def test_a_taken_aggregate_is_the_callers_until_kept(system: System) -> None:
    owner = uuid4()
    _, card = course_and_card(system, owner)
    loader = system.store.loader
    cached = loader.fresh([card])[card]
    taken = loader.fresh([card], take=[card])[card]
    assert isinstance(taken, Flashcard) and isinstance(cached, Flashcard)
    assert taken is not cached
    at = taken.updated_at
    taken.review(5, reviewed_at=at, recorded_at=at, scheduler="sm2")
    assert cached.version == 1 and loader.cached(card) is cached  # untouched by the change

    system.store.save(taken)
    loader.keep(taken)
    assert loader.cached(card) is taken
    loader.keep(cached)  # an older state never replaces a newer one
    assert loader.cached(card) is taken


def test_a_command_that_fails_after_changing_its_card_leaves_no_trace(system: System) -> None:
    owner = uuid4()
    _, card_id = course_and_card(system, owner)
    review(system, owner, card_id, 4)
    for _ in range(2):  # the card cached after the review, then as this attempt left it
        uow = UnitOfWork(system.store, system.services)
        card = uow.load(Flashcard, card_id, owner_id=owner)
        at = card.updated_at
        card.review(0, reviewed_at=at, recorded_at=at, scheduler="sm2")  # never saved
        assert card.version == 3

    again = UnitOfWork(system.store, system.services).load(Flashcard, card_id)
    assert again.version == 2 and len(again.reviews) == 1


def test_the_owners_cached_courses_are_a_hint_for_a_card_not_cached(system: System) -> None:
    owner, other = uuid4(), uuid4()
    course, card = course_and_card(system, owner)  # saved, so cached
    theirs, _ = course_and_card(system, other)
    loader = system.store.loader
    assert loader.owned(owner, Course) == [course] and loader.owned(other, Course) == [theirs]
    assert loader.owned(owner, Flashcard) == [card]
    cache = system.store.repository.cache
    assert cache is not None
    cache.get(course, evict=True)
    assert loader.owned(owner, Course) == []  # only what the cache holds now
    loader.fresh([course])
    assert loader.owned(owner, Course) == [course]
