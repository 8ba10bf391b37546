"""Flashcard endpoints: create, list, show, change, archive, due, stats, on both databases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from aksio.core.clock import FixedClock
from tests.conftest import assert_envelope
from tests.flashcards.support import BASE, make_card, make_course, review

Auth = dict[str, str]


def test_create_answers_the_full_new_card(client: TestClient, auth: Auth, clock: FixedClock):
    course = make_course(client, auth)
    body = {
        "course": course,
        "question": "What is the capital of France?",
        "answer": "Paris",
        "difficulty_level": "easy",
        "tags": ["geography", "europe"],
        "explanation": "Paris is the capital and largest city of France.",
    }
    response = client.post(f"{BASE}/", json=body, headers=auth)
    assert response.status_code == 201, response.text
    card = response.json()
    content = {k: v for k, v in body.items() if k != "course"}
    assert {k: card[k] for k in content} == content
    assert card["course"] == course
    assert datetime.fromisoformat(card["next_review_date"]) == clock.now()
    assert (card["interval_days"], card["ease_factor"], card["repetitions"]) == (0, 2.5, 0)
    assert (card["total_reviews"], card["success_rate"], card["status"]) == (0, 0.0, "active")
    assert (card["mastery"], card["retrievability"], card["scheduler"]) == ("new", None, "sm2")
    assert card["created_at"] == card["updated_at"]
    assert client.get(f"{BASE}/{card['id']}/", headers=auth).json() == card


def test_create_refuses_bad_bodies(client: TestClient, auth: Auth, make_user: Callable[[], Auth]):
    course = make_course(client, auth)
    foreign = make_course(client, make_user())
    good = {"course": course, "question": "Q", "answer": "A"}
    assert_envelope(
        client.post(f"{BASE}/", json={**good, "course": foreign}, headers=auth),
        404,
        "RESOURCE_NOT_FOUND",
    )
    cases = [
        ({"tags": "biology"}, 400),
        ({"question": ["Q"]}, 400),
        ({"difficulty_level": "trivial"}, 422),
        ({"question": ""}, 422),
        ({"colour": "red"}, 422),
    ]
    for change, status in cases:
        body = assert_envelope(
            client.post(f"{BASE}/", json={**good, **change}, headers=auth),
            status,
            "VALIDATION_ERROR",
        )
        assert set(change) <= set(body["details"])
    assert client.get(f"{BASE}/", headers=auth).json()["count"] == 0


def test_list_filters_and_pages(client: TestClient, auth: Auth, make_user: Callable[[], Auth]):
    bio, chem = make_course(client, auth), make_course(client, auth, name="Chemistry")
    a = make_card(client, auth, bio, difficulty_level="easy", tags=["cell", "energy"])
    b = make_card(client, auth, bio, difficulty_level="hard", tags=["energy"])
    c = make_card(client, auth, chem, difficulty_level="hard", tags=["acid"])
    client.delete(f"{BASE}/{c['id']}/", headers=auth)
    stranger = make_user()
    make_card(client, stranger, make_course(client, stranger))  # someone else's

    def ids(query: str) -> list[str]:
        response = client.get(f"{BASE}/?{query}", headers=auth)
        assert response.status_code == 200, response.text
        return [card["id"] for card in response.json()["results"]]

    assert ids("") == [a["id"], b["id"], c["id"]]
    assert ids(f"course={bio}") == [a["id"], b["id"]]
    assert ids("difficulty_level=hard") == [b["id"], c["id"]]
    assert ids("status=archived") == [c["id"]]
    assert ids("tags=cell") == [a["id"]]
    assert ids("tags=cell&tags=acid") == ids("tags=cell,acid") == [a["id"], c["id"]]
    assert ids("tags=energy&difficulty_level=hard&status=active") == [b["id"]]
    page = client.get(f"{BASE}/?page_size=2&page=2", headers=auth).json()
    assert (page["count"], len(page["results"]), page["next"]) == (3, 1, None)
    assert page["previous"] is not None
    assert_envelope(
        client.get(f"{BASE}/?difficulty_level=trivial", headers=auth), 422, "VALIDATION_ERROR"
    )


def test_patch_archive_and_restore(client: TestClient, auth: Auth, clock: FixedClock):
    course, other = make_course(client, auth), make_course(client, auth, name="Physics")
    card = make_card(client, auth, course, tags=["old"])
    clock.advance(hours=1)
    changes = {"question": "What does ATP stand for?", "tags": ["new"], "course": other}
    patched = client.patch(f"{BASE}/{card['id']}/", json=changes, headers=auth)
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert (body["question"], body["tags"], body["course"]) == (changes["question"], ["new"], other)
    assert datetime.fromisoformat(body["updated_at"]) == clock.now()
    assert client.get(f"{BASE}/?tags=old", headers=auth).json()["count"] == 0
    assert client.get(f"{BASE}/?tags=new", headers=auth).json()["count"] == 1
    deleted = client.delete(f"{BASE}/{card['id']}/", headers=auth)
    assert deleted.status_code == 204 and deleted.content == b""
    assert client.get(f"{BASE}/{card['id']}/", headers=auth).json()["status"] == "archived"
    restored = client.patch(f"{BASE}/{card['id']}/", json={"status": "active"}, headers=auth)
    assert restored.json()["status"] == "active"
    archived = client.patch(f"{BASE}/{card['id']}/", json={"status": "archived"}, headers=auth)
    assert archived.json()["status"] == "archived"
    assert_envelope(
        client.patch(f"{BASE}/{card['id']}/", json={"status": "gone"}, headers=auth),
        422,
        "VALIDATION_ERROR",
    )


def test_another_users_card_is_not_found_on_every_verb(
    client: TestClient, auth: Auth, make_user: Callable[[], Auth]
):
    card = make_card(client, auth, make_course(client, auth))
    stranger = make_user()
    path = f"{BASE}/{card['id']}"
    calls = [
        client.get(f"{path}/", headers=stranger),
        client.patch(f"{path}/", json={"question": "Mine?"}, headers=stranger),
        client.delete(f"{path}/", headers=stranger),
        client.post(f"{path}/review/", json={"quality_response": 4}, headers=stranger),
        client.get(f"{path}/history/", headers=stranger),
        client.post(f"{path}/undo_review/", headers=stranger),
        client.get(f"{BASE}/not-a-uuid/", headers=auth),
    ]
    for response in calls:
        assert_envelope(response, 404, "RESOURCE_NOT_FOUND")
    unchanged = client.get(f"{path}/", headers=auth).json()
    assert (unchanged["question"], unchanged["status"], unchanged["total_reviews"]) == (
        card["question"],
        "active",
        0,
    )
    assert_envelope(client.get(f"{BASE}/"), 401, "AUTHENTICATION_FAILED")


def test_due_is_an_array_oldest_first_with_limit(client: TestClient, auth: Auth, clock: FixedClock):
    course = make_course(client, auth)
    first = make_card(client, auth, course)
    clock.advance(minutes=5)
    second = make_card(client, auth, course)
    clock.advance(minutes=5)
    third = make_card(client, auth, course)
    other = make_card(client, auth, make_course(client, auth, name="Other"))
    review(client, auth, first["id"], 4)  # now due in one day
    client.delete(f"{BASE}/{third['id']}/", headers=auth)

    def due(query: str = "") -> list[str]:
        response = client.get(f"{BASE}/due/{query}", headers=auth)
        assert response.status_code == 200, response.text
        assert isinstance(response.json(), list)
        return [card["id"] for card in response.json()]

    assert due() == [second["id"], other["id"]]
    assert due(f"?course={course}") == [second["id"]]
    assert due("?limit=1") == [second["id"]]
    clock.advance(days=1)
    assert due() == [second["id"], other["id"], first["id"]]
    review(client, auth, second["id"], 1)  # failed: due again in a day
    clock.advance(days=1)
    assert due() == [other["id"], first["id"], second["id"]]
    assert_envelope(client.get(f"{BASE}/due/?limit=0", headers=auth), 422, "VALIDATION_ERROR")


def test_stats_and_mastery(client: TestClient, auth: Auth, clock: FixedClock):
    course = make_course(client, auth)
    new = make_card(client, auth, course, difficulty_level="easy")
    mastered = make_card(client, auth, course, difficulty_level="hard")
    difficult = make_card(client, auth, course)
    learning = make_card(client, auth, course)
    for quality in (5, 5, 5):  # 1, 6, 17 days, a day apart (same-day repeats are drills)
        assert review(client, auth, mastered["id"], quality)["mastery"] in ("learning", "mastered")
        clock.advance(days=1)
    for quality in (4, 1, 1):  # success rate 1/3 after 3 reviews, drills included
        last = review(client, auth, difficult["id"], quality)
    review(client, auth, learning["id"], 4)
    client.delete(f"{BASE}/{learning['id']}/", headers=auth)

    def mastery(card: dict[str, str]) -> str:
        return str(client.get(f"{BASE}/{card['id']}/", headers=auth).json()["mastery"])

    assert [mastery(c) for c in (new, mastered, difficult, learning)] == [
        "new",
        "learning",
        "difficult",
        "learning",
    ]
    assert last["success_rate"] == pytest.approx(1 / 3)
    review(client, auth, mastered["id"], 5)  # 17 x 2.9 = 49 days
    assert mastery(mastered) == "mastered"
    stats = client.get(f"{BASE}/stats/", headers=auth).json()
    assert stats == {
        "total_flashcards": 4,
        "active_flashcards": 3,
        "due_flashcards": 1,  # only the new card: the others were just reviewed
        "mastered_flashcards": 1,
        "average_success_rate": round((1 + 1 / 3 + 1) / 3, 4),
        "by_difficulty": [
            {"difficulty_level": "easy", "count": 1},
            {"difficulty_level": "medium", "count": 2},
            {"difficulty_level": "hard", "count": 1},
        ],
        "by_mastery": [
            {"level": "new", "count": 1},
            {"level": "learning", "count": 1},
            {"level": "difficult", "count": 1},
            {"level": "mastered", "count": 1},
        ],
    }
    clock.advance(days=2)
    assert client.get(f"{BASE}/stats/", headers=auth).json()["due_flashcards"] == 2
