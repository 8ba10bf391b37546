"""The aggregate cache: commands load cached aggregates brought up to date from the store."""

from __future__ import annotations

from uuid import UUID, uuid4

from aksio.aggregates.flashcards.flashcard import Flashcard
from aksio.bootstrap import System
from aksio.commands.flashcards import CreateFlashcard, ReviewFlashcard, UndoReview

CARD = {"question": "Q?", "answer": "A", "difficulty_level": "medium", "tags": []}


def review(system: System, owner: UUID, card_id: UUID, quality: int) -> UUID:
    command = ReviewFlashcard(owner_id=owner, flashcard_id=card_id, quality=quality)
    review_id: UUID = system.bus.dispatch(command).value.review_id
    return review_id


def test_a_cached_card_catches_up_with_reviews_stored_elsewhere(
    pair: tuple[System, System],
) -> None:
    first, second = pair
    owner = uuid4()
    card_id = first.bus.dispatch(CreateFlashcard(owner_id=owner, fields=CARD)).value
    ids = [review(first, owner, card_id, 4)]  # `first` now holds the card in its cache
    ids.append(review(second, owner, card_id, 2))
    ids.append(review(first, owner, card_id, 5))

    card = first.store.repository.get(card_id)
    assert isinstance(card, Flashcard)
    assert [r["id"] for r in card.reviews] == ids
    assert card.version == 1 + len(ids)
    # Undo in `second` takes back the review `first` stored last.
    assert second.bus.dispatch(UndoReview(owner_id=owner, flashcard_id=card_id)).value == ids[-1]


def test_changing_a_loaded_card_without_saving_leaves_the_cache_alone(system: System) -> None:
    owner = uuid4()
    card_id = system.bus.dispatch(CreateFlashcard(owner_id=owner, fields=CARD)).value
    review(system, owner, card_id, 4)
    loaded = system.store.repository.get(card_id)
    assert isinstance(loaded, Flashcard)
    before = (loaded.version, loaded.schedule)
    at = loaded.updated_at
    loaded.review(0, reviewed_at=at, recorded_at=at, scheduler="sm2")
    loaded.collect_events()  # changed in memory, never saved

    again = system.store.repository.get(card_id)
    assert isinstance(again, Flashcard)
    assert (again.version, again.schedule) == before
