"""Fifty simultaneous reviews of one card over HTTP on PostgreSQL: every one is kept, in order."""

from __future__ import annotations

import itertools
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from aksio.aggregates.flashcards.flashcard import Flashcard
from aksio.bootstrap import System
from aksio.core.clock import FixedClock
from tests.flashcards.support import BASE, make_card, make_course

pytestmark = pytest.mark.postgres

REVIEWS = 50


class TickingClock(FixedClock):
    """Moves one millisecond forward on every reading, so every review gets its own time."""

    def __init__(self, at: datetime) -> None:
        super().__init__(at)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            self.at += timedelta(milliseconds=1)
            return self.at


@pytest.fixture
def clock() -> FixedClock:
    return TickingClock(datetime.now(UTC).replace(microsecond=0))


def review_all_at_once(client: TestClient, auth: dict[str, str], card_id: str) -> list[Any]:
    """Sends the reviews from as many threads, released together; quality n % 6 for the nth."""
    start = threading.Barrier(REVIEWS)

    def send(n: int) -> Any:
        start.wait()
        body = {"quality_response": n % 6, "notes": f"review {n}"}
        return client.post(f"{BASE}/{card_id}/review/", json=body, headers=auth)

    with ThreadPoolExecutor(max_workers=REVIEWS) as pool:
        return list(pool.map(send, range(REVIEWS)))


@pytest.mark.parametrize("backend", ["postgres"])
def test_fifty_concurrent_reviews_of_one_card_are_all_recorded_in_order(
    client: TestClient, auth: dict[str, str], system: System
) -> None:
    card = make_card(client, auth, make_course(client, auth))
    responses = review_all_at_once(client, auth, card["id"])

    assert [r.status_code for r in responses] == [200] * REVIEWS, [
        r.text for r in responses if r.status_code != 200
    ]
    # The nth request's review, by the id its answer gave it.
    sent = {r.json()["review"]["id"]: n for n, r in enumerate(responses)}
    assert len(sent) == REVIEWS

    stored = system.store.recorder.select_events(UUID(card["id"]))
    assert [e.originator_version for e in stored] == list(range(1, REVIEWS + 2))
    assert [e.topic for e in stored] == ["aksio.flashcard.created"] + [
        "aksio.flashcard.reviewed"
    ] * REVIEWS
    logged_ids = []  # review ids in the card's event order
    for recorded in stored[1:]:
        event = system.store.mapper.to_domain_event(recorded)
        assert isinstance(event, Flashcard.Reviewed)
        logged_ids.append(str(event.review_id))
    assert set(logged_ids) == set(sent)

    shown = client.get(f"{BASE}/{card['id']}/", headers=auth).json()
    assert shown["total_reviews"] == REVIEWS

    history = client.get(f"{BASE}/{card['id']}/history/", headers=auth)
    assert history.status_code == 200, history.text
    listed = history.json()
    assert [r["id"] for r in listed] == logged_ids
    times = [datetime.fromisoformat(r["reviewed_at"]) for r in listed]
    assert times == sorted(times) and len(set(times)) == REVIEWS
    assert [r["notes"] for r in listed] == [f"review {sent[i]}" for i in logged_ids]
    assert [r["quality_response"] for r in listed] == [sent[i] % 6 for i in logged_ids]
    # Each review was decided on the schedule the one before it left behind.
    for earlier, later in itertools.pairwise(listed):
        assert later["before"] == earlier["after"]
