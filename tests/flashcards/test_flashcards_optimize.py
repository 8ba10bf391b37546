"""Fitting FSRS to a learner's own reviews through the API, on the published review log."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from tests.accounts.support import bearer, register
from tests.conftest import assert_envelope
from tests.flashcards.support import BASE, HEADER, make_card, make_course, review, upload

REVIEW_LOG = Path(__file__).resolve().parents[1] / "data/fsrs-review-logs/review_logs.csv"
Auth = dict[str, str]


def account(client: TestClient) -> Auth:
    return bearer(register(client, "ada@example.com"))


def test_fitted_parameters_beat_the_defaults_on_later_reviews_and_schedule_fsrs_cards(
    client: TestClient,
):
    auth = account(client)
    assert upload(client, auth, REVIEW_LOG.read_bytes()).status_code == 201
    fitted = client.post(f"{BASE}/optimize/", json={}, headers=auth)
    assert fitted.status_code == 200, fitted.text
    body = fitted.json()
    assert (len(body["parameters"]), body["reviews_used"], body["course"]) == (21, 12580, None)
    assert body["reviews_scored"] == 2665
    assert body["log_loss_after"] < body["log_loss_before"]
    assert round(body["log_loss_before"], 3) == 0.438

    profile = client.get("/api/v1/accounts/profile/", headers=auth).json()
    assert profile["fsrs_parameters"] == body["parameters"]
    evaluation = client.get(f"{BASE}/scheduler_evaluation/", headers=auth).json()
    split = {r["scheduler"]: r for r in evaluation["time_split"]["results"]}
    assert split["fsrs_fitted"]["log_loss"] < split["fsrs"]["log_loss"] < split["sm2"]["log_loss"]
    assert {r["reviews_scored"] for r in split.values()} == {2665}

    # A new FSRS card is now scheduled with the fitted parameters.
    client.patch("/api/v1/accounts/profile/", json={"scheduler": "fsrs"}, headers=auth)
    card = make_card(client, auth, make_course(client, auth))
    review(client, auth, card["id"], 4)
    (entry,) = client.get(f"{BASE}/{card['id']}/history/", headers=auth).json()
    assert entry["scheduler"] == "fsrs"


def test_too_short_a_history_is_refused(client: TestClient, auth: Auth):
    rows = [f"c{n},3,2024-04-{1 + day:02d}T08:00:00+00:00,900" for n in range(5) for day in (0, 3)]
    assert upload(client, auth, "\n".join([HEADER, *rows]).encode()).status_code == 201
    refused = assert_envelope(
        client.post(f"{BASE}/optimize/", json={}, headers=auth), 422, "VALIDATION_ERROR"
    )
    assert "400" in str(refused)


def test_a_course_that_is_not_yours_is_not_found(client: TestClient, auth: Auth, make_user):
    other = make_course(client, make_user())
    response = client.post(f"{BASE}/optimize/", json={"course": other}, headers=auth)
    assert_envelope(response, 404, "RESOURCE_NOT_FOUND")


def test_desired_retention_is_kept_within_its_range(client: TestClient):
    auth = account(client)
    path = "/api/v1/accounts/profile/"
    assert client.get(path, headers=auth).json()["desired_retention"] == 0.9
    assert client.patch(path, json={"desired_retention": 0.85}, headers=auth).status_code == 200
    assert client.get(path, headers=auth).json()["desired_retention"] == 0.85
    assert_envelope(
        client.patch(path, json={"desired_retention": 0.5}, headers=auth), 422, "VALIDATION_ERROR"
    )
    course = client.post(
        "/api/v1/courses/", json={"name": "B", "desired_retention": 0.99}, headers=auth
    )
    assert_envelope(course, 422, "VALIDATION_ERROR")
