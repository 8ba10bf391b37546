"""Reviewing, history, undo and the choice of scheduler, through the API on both databases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from aksio.core.clock import FixedClock
from tests.accounts.support import bearer, register
from tests.conftest import assert_envelope
from tests.flashcards.support import BASE, make_card, make_course, review

Auth = dict[str, str]


def test_review_answers_new_schedule_and_the_review(
    client: TestClient, auth: Auth, clock: FixedClock
):
    card = make_card(client, auth, make_course(client, auth))
    clock.advance(hours=2)
    body = {
        "quality_response": 4,
        "response_time_seconds": 12,
        "user_answer": "Adenosine triphosphate",
        "notes": "Revise the equation",
    }
    response = client.post(f"{BASE}/{card['id']}/review/", json=body, headers=auth)
    assert response.status_code == 200, response.text
    result = response.json()
    assert datetime.fromisoformat(result["next_review_date"]) == clock.now() + timedelta(days=1)
    assert (result["interval_days"], result["ease_factor"], result["repetitions"]) == (1, 2.5, 1)
    assert (result["total_reviews"], result["success_rate"], result["mastery"]) == (
        1,
        1.0,
        "learning",
    )
    recorded = result["review"]
    assert (recorded["quality_response"], recorded["rating"], recorded["success"]) == (4, 3, True)
    assert (recorded["response_time_seconds"], recorded["user_answer"], recorded["notes"]) == (
        12.0,
        body["user_answer"],
        body["notes"],
    )
    assert datetime.fromisoformat(recorded["reviewed_at"]) == clock.now()
    assert recorded["before"]["repetitions"] == 0 and recorded["after"]["repetitions"] == 1
    shown = client.get(f"{BASE}/{card['id']}/", headers=auth).json()
    assert {k: shown[k] for k in ("next_review_date", "interval_days", "total_reviews")} == {
        k: result[k] for k in ("next_review_date", "interval_days", "total_reviews")
    }


@pytest.mark.parametrize("scheduler", ["sm2", "fsrs"])
def test_the_review_answer_is_what_the_read_models_show_after_it(
    client: TestClient, auth: Auth, clock: FixedClock, scheduler: str
):
    """The answer is made from the stored event, not read back: it must match the card and
    the history the projections show afterwards, field for field."""
    card = make_card(client, auth, make_course(client, auth, scheduler=scheduler))
    for quality in (5, 1, 4):  # a success, a lapse, a success again
        clock.advance(days=3)
        body = {"quality_response": quality, "response_time_seconds": 2.5, "notes": "n"}
        answer = client.post(f"{BASE}/{card['id']}/review/", json=body, headers=auth).json()
        shown = client.get(f"{BASE}/{card['id']}/", headers=auth).json()
        history = client.get(f"{BASE}/{card['id']}/history/", headers=auth).json()
        assert {k: v for k, v in answer.items() if k != "review"} == {
            k: shown[k] for k in answer if k != "review"
        }
        assert answer["review"] == history[-1]
    assert answer["scheduler"] == scheduler and answer["total_reviews"] == 3


def test_review_errors(client: TestClient, auth: Auth):
    card = make_card(client, auth, make_course(client, auth))
    path = f"{BASE}/{card['id']}/review/"
    body = assert_envelope(
        client.post(path, json={"quality_response": 7}, headers=auth), 422, "VALIDATION_ERROR"
    )
    assert "quality_response" in body["details"]
    assert_envelope(
        client.post(path, json={"quality_response": "good"}, headers=auth), 400, "VALIDATION_ERROR"
    )
    assert_envelope(client.post(path, content=b"{not json", headers=auth), 400, "VALIDATION_ERROR")
    assert_envelope(client.post(path, json={}, headers=auth), 422, "VALIDATION_ERROR")
    client.delete(f"{BASE}/{card['id']}/", headers=auth)
    assert_envelope(
        client.post(path, json={"quality_response": 4}, headers=auth), 409, "INVALID_STATE"
    )
    assert client.get(f"{BASE}/{card['id']}/history/", headers=auth).json() == []
    client.patch(f"{BASE}/{card['id']}/", json={"status": "active"}, headers=auth)
    assert client.post(path, json={"quality_response": 4}, headers=auth).status_code == 200


def test_history_and_undo(client: TestClient, auth: Auth, clock: FixedClock):
    card = make_card(client, auth, make_course(client, auth))
    path = f"{BASE}/{card['id']}"
    assert_envelope(client.post(f"{path}/undo_review/", headers=auth), 409, "INVALID_STATE")
    first = review(client, auth, card["id"], 5)
    clock.advance(days=1)
    second = review(client, auth, card["id"], 1)
    history = client.get(f"{path}/history/", headers=auth).json()
    assert [h["id"] for h in history] == [first["review"]["id"], second["review"]["id"]]
    assert history[0]["after"] == history[1]["before"]
    assert (history[1]["before"]["interval_days"], history[1]["after"]["interval_days"]) == (1, 1)
    assert (history[1]["after"]["repetitions"], history[1]["after"]["lapses"]) == (0, 1)

    clock.advance(minutes=1)
    undone = client.post(f"{path}/undo_review/", headers=auth)
    assert undone.status_code == 200, undone.text
    result = undone.json()
    assert result["review"]["id"] == second["review"]["id"] and result["review"]["undone"]
    for field in (
        "next_review_date",
        "interval_days",
        "ease_factor",
        "repetitions",
        "total_reviews",
        "success_rate",
    ):
        assert result[field] == first[field], field
    history = client.get(f"{path}/history/", headers=auth).json()
    assert [h["undone"] for h in history] == [False, True]
    assert datetime.fromisoformat(history[1]["undone_at"]) == clock.now()
    client.post(f"{path}/undo_review/", headers=auth)
    back = client.get(f"{path}/", headers=auth).json()
    assert (back["total_reviews"], back["repetitions"], back["mastery"]) == (0, 0, "new")
    assert back["next_review_date"] == card["next_review_date"]
    assert_envelope(client.post(f"{path}/undo_review/", headers=auth), 409, "INVALID_STATE")


def test_a_course_on_fsrs_schedules_with_fsrs(client: TestClient, auth: Auth, clock: FixedClock):
    card = make_card(client, auth, make_course(client, auth, scheduler="fsrs"))
    assert card["scheduler"] == "fsrs" and card["retrievability"] == 0.0
    result = review(client, auth, card["id"], 5)  # Easy: straight to an 8-day review
    assert result["scheduler"] == "fsrs" and result["review"]["scheduler"] == "fsrs"
    assert datetime.fromisoformat(result["next_review_date"]) == clock.now() + timedelta(days=8)
    assert result["interval_days"] == 8 and result["retrievability"] == 1.0
    assert result["review"]["after"]["fsrs_state"] == 2
    assert result["review"]["after"]["sm2_interval_days"] == 1  # SM-2 kept up to date
    clock.advance(days=8)
    due = client.get(f"{BASE}/due/", headers=auth).json()
    assert [c["id"] for c in due] == [card["id"]]
    assert 0.88 < due[0]["retrievability"] < 0.92


def test_the_profile_scheduler_applies_when_the_course_names_none(client: TestClient):
    session = register(client, "fsrs-fan@example.com")
    auth = bearer(session)
    assert (
        client.patch(
            "/api/v1/accounts/profile/", json={"scheduler": "fsrs"}, headers=auth
        ).status_code
        == 200
    )
    plain = make_card(client, auth, make_course(client, auth))
    pinned = make_card(client, auth, make_course(client, auth, scheduler="sm2"))
    assert review(client, auth, plain["id"], 4)["scheduler"] == "fsrs"
    assert review(client, auth, pinned["id"], 4)["scheduler"] == "sm2"


def test_a_card_follows_its_course_when_the_course_changes_scheduler(
    client: TestClient, auth: Auth, make_user: Callable[[], Auth]
):
    course = make_course(client, auth)
    card = make_card(client, auth, course)
    assert review(client, auth, card["id"], 4)["scheduler"] == "sm2"
    client.patch(f"/api/v1/courses/{course}/", json={"scheduler": "fsrs"}, headers=auth)
    switched = review(client, auth, card["id"], 4)
    assert switched["scheduler"] == "fsrs"
    assert switched["review"]["before"]["fsrs_stability"] is not None
