"""Importing review logs, scheduler evaluation and rebuilding the read model."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from aksio.bootstrap import System
from aksio.core.clock import FixedClock
from aksio.projections.flashcards.projection import FlashcardsProjection
from tests.accounts.support import bearer, register
from tests.conftest import DATA, assert_envelope
from tests.flashcards.support import BASE, HEADER, make_card, make_course, review, upload

Auth = dict[str, str]
REAL_LOG = DATA / "fsrs-review-logs" / "review_logs.csv"
PROFILE = "/api/v1/accounts/profile/"
SMALL_LOG = "\n".join(
    [
        HEADER + ",question,answer",
        "101,3,2024-03-01T10:00:00Z,4000,Mitochondria?,Powerhouse",
        "101,3,2024-03-02T10:00:00Z,3000,,",
        "101,1,2024-03-10T10:00:00Z,9000,,",
        "101,4,2024-03-11T10:00:00Z,2000,,",
        "202,1,2024-03-01T11:00:00Z,5000,,",
        "202,3,2024-03-01T11:10:00Z,4000,,",
        "202,2,2024-03-05T11:00:00Z,6000,,",
        "303,4,2024-03-03T09:00:00Z,1000,,",
    ]
).encode()


def test_import_keeps_each_review_at_its_original_time(
    client: TestClient, auth: Auth, clock: FixedClock
):
    course = make_course(client, auth)
    response = upload(client, auth, SMALL_LOG, course)
    assert response.status_code == 201, response.text
    assert response.json() == {
        "cards_imported": 3,
        "reviews_imported": 8,
        "cards_updated": 0,
        "course": course,
        "scheduler": "sm2",
    }
    cards = client.get(f"{BASE}/?course={course}", headers=auth).json()["results"]
    first = next(card for card in cards if card["question"] == "Mitochondria?")
    assert (first["answer"], first["total_reviews"], first["success_rate"]) == (
        "Powerhouse",
        4,
        0.75,
    )
    history = client.get(f"{BASE}/{first['id']}/history/", headers=auth).json()
    assert [h["reviewed_at"] for h in history] == [
        "2024-03-01T10:00:00Z",
        "2024-03-02T10:00:00Z",
        "2024-03-10T10:00:00Z",
        "2024-03-11T10:00:00Z",
    ]
    assert [h["quality_response"] for h in history] == [4, 4, 2, 5]  # rating + 1
    assert [h["response_time_seconds"] for h in history] == [4.0, 3.0, 9.0, 2.0]
    assert all(datetime.fromisoformat(h["recorded_at"]) == clock.now() for h in history)
    # SM-2 from the original times: 1 day, 6 days, lapse -> 1 day, then 1 day again
    assert first["next_review_date"] == "2024-03-12T10:00:00Z"
    due = client.get(f"{BASE}/due/", headers=auth).json()
    assert len(due) == 3  # all overdue since 2024


def test_a_log_imported_again_makes_no_card_twice(client: TestClient, auth: Auth):
    course = make_course(client, auth)
    assert upload(client, auth, SMALL_LOG, course).status_code == 201
    longer = SMALL_LOG + b"\n303,1,2024-03-20T09:00:00Z,7000,,\n404,3,2024-03-20T09:05:00Z,1000,,"
    response = upload(client, auth, longer)  # into no course: known cards stay where they are
    assert response.status_code == 201, response.text
    assert response.json()["cards_imported"] == 1
    assert (response.json()["reviews_imported"], response.json()["cards_updated"]) == (2, 1)
    cards = client.get(f"{BASE}/", headers=auth).json()["results"]
    assert len(cards) == 4
    assert sum(card["course"] == course for card in cards) == 3
    [third] = [card for card in cards if card["question"] == "Imported card 303"]
    history = client.get(f"{BASE}/{third['id']}/history/", headers=auth).json()
    assert [h["quality_response"] for h in history] == [5, 2]
    assert upload(client, auth, longer).json()["reviews_imported"] == 0


def test_imported_reviews_are_scheduled_with_the_learners_fsrs_settings(client: TestClient):
    due = {}
    for email, retention in (("plain@example.com", 0.9), ("keen@example.com", 0.97)):
        auth = bearer(register(client, email))
        profile = {"scheduler": "fsrs", "desired_retention": retention}
        assert client.patch(PROFILE, json=profile, headers=auth).status_code == 200
        assert upload(client, auth, SMALL_LOG).status_code == 201
        cards = client.get(f"{BASE}/", headers=auth).json()["results"]
        due[retention] = {card["question"]: card["next_review_date"] for card in cards}
    # A higher target recall brings the imported cards back sooner (a card in a learning
    # step comes back after the step either way).
    assert due[0.9].keys() == due[0.97].keys()
    assert all(due[0.97][question] <= due[0.9][question] for question in due[0.9])
    assert due[0.97]["Mitochondria?"] < due[0.9]["Mitochondria?"]


def test_a_malformed_file_stores_nothing(client: TestClient, auth: Auth, system: System):
    head = system.store.head()
    broken = SMALL_LOG + b"\n404,7,2024-03-12T10:00:00Z,100,,"
    body = assert_envelope(upload(client, auth, broken), 422, "VALIDATION_ERROR")
    assert any("row 10" in problem for problem in body["details"]["file"])
    assert_envelope(upload(client, auth, b"question,answer\nQ,A\n"), 422, "VALIDATION_ERROR")
    missing = client.post(f"{BASE}/import/", headers=auth)
    assert_envelope(missing, 422, "VALIDATION_ERROR")
    assert system.store.head() == head
    assert client.get(f"{BASE}/", headers=auth).json()["count"] == 0


def test_import_into_a_foreign_course_is_not_found(client: TestClient, auth: Auth, make_user: Any):
    stranger = make_user()
    foreign = make_course(client, stranger)
    assert_envelope(upload(client, auth, SMALL_LOG, foreign), 404, "RESOURCE_NOT_FOUND")
    assert client.get(f"{BASE}/", headers=auth).json()["count"] == 0


def test_scheduler_evaluation_of_a_small_history(client: TestClient, auth: Auth):
    empty = client.get(f"{BASE}/scheduler_evaluation/", headers=auth).json()
    assert (empty["scheduler"], empty["reviews_scored"], empty["log_loss"]) == ("sm2", 0, None)
    upload(client, auth, SMALL_LOG)
    result = client.get(f"{BASE}/scheduler_evaluation/", headers=auth).json()
    # scored: card 101 at +1d, +8d, +1d; card 202 at 3d 23h50m, i.e. 3 whole days (the
    # review 10 minutes after its first is not scored)
    assert result["reviews_scored"] == 4
    sm2, fsrs = result["results"]
    assert (sm2["scheduler"], fsrs["scheduler"]) == ("sm2", "fsrs")
    assert {k: result[k] for k in sm2} == sm2
    # SM-2 predicted 0.9, 0.9^(8/6), 0.9 and 0.9^(3/1); recalled, forgotten, recalled, recalled
    ps = [0.9, 0.9 ** (8 / 6), 0.9, 0.9**3]
    expected = (
        -sum(math.log(p) if y else math.log(1 - p) for p, y in zip(ps, [1, 0, 1, 1], strict=True))
        / 4
    )
    assert sm2["log_loss"] == pytest.approx(expected)
    assert sm2["auc"] == pytest.approx(2 / 3)


def _snapshot(system: System) -> dict[str, list[tuple[Any, ...]]]:
    with system.engine.connect() as conn:
        return {
            table.name: sorted(
                (tuple(repr(v) for v in row) for row in conn.execute(sa.select(table))), key=str
            )
            for table in FlashcardsProjection.tables
        }


def test_a_rebuild_answers_exactly_as_before(
    client: TestClient, auth: Auth, system: System, clock: FixedClock
):
    course = make_course(client, auth, scheduler="fsrs")
    card = make_card(client, auth, course, tags=["a", "b"])
    other = make_card(client, auth, make_course(client, auth))
    review(client, auth, card["id"], 4)
    clock.advance(days=2)
    review(client, auth, card["id"], 2)
    review(client, auth, other["id"], 5)
    client.post(f"{BASE}/{card['id']}/undo_review/", headers=auth)
    client.patch(f"{BASE}/{card['id']}/", json={"tags": ["b", "c"]}, headers=auth)
    client.delete(f"{BASE}/{other['id']}/", headers=auth)
    upload(client, auth, SMALL_LOG)
    paths = [
        "/",
        "/due/",
        "/stats/",
        "/scheduler_evaluation/",
        f"/{card['id']}/history/",
        f"/{card['id']}/",
        "/?tags=c",
    ]
    before = {path: client.get(f"{BASE}{path}", headers=auth).json() for path in paths}
    rows = _snapshot(system)
    assert sum(len(r) for r in rows.values()) > 10

    system.runner.rebuild([p for p in system.projections if p.name == "flashcards"])

    assert _snapshot(system) == rows
    assert {path: client.get(f"{BASE}{path}", headers=auth).json() for path in paths} == before


def test_the_real_review_log_end_to_end(client: TestClient, auth: Auth):
    """12,580 real reviews of 1,205 cards, through the API, then both schedulers scored.

    On PostgreSQL this is one atomic append of ~18 MB of events (split into several
    statements by the event store's recorder).
    """
    response = upload(client, auth, REAL_LOG.read_bytes())
    assert response.status_code == 201, response.text
    assert response.json()["cards_imported"] == 1205
    assert response.json()["reviews_imported"] == 12580
    stats = client.get(f"{BASE}/stats/", headers=auth).json()
    assert stats["total_flashcards"] == 1205
    assert sum(level["count"] for level in stats["by_mastery"]) == 1205
    result = client.get(f"{BASE}/scheduler_evaluation/", headers=auth).json()
    assert result["scheduler"] == "sm2" and result["reviews_scored"] > 5000
    for figures in result["results"]:
        for name in ("log_loss", "rmse_bins", "auc"):
            assert math.isfinite(figures[name]), (figures["scheduler"], name)
        assert 0.5 < figures["auc"] < 1 and 0 < figures["rmse_bins"] < 0.5
    sm2, fsrs = result["results"]
    assert fsrs["log_loss"] < sm2["log_loss"]  # FSRS predicts this learner's recall better
