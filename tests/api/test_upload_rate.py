"""AKSIO_RATE_LIMIT_UPLOAD counts the uploads of each user over upload/ and upload_url/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from aksio.settings import Settings
from tests.conftest import assert_envelope, make_settings

Headers = dict[str, str]


@pytest.fixture
def backend() -> str:
    return "sqlite"  # the limiter keeps its counts in memory (or Redis), not in the database


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # A URL import on loopback is accepted (its fetch fails later, which this does not read).
    return make_settings(tmp_path, rate_limit_upload="3/hour", allow_private_urls=True)


def _course(client: TestClient, auth: Headers) -> str:
    response = client.post("/api/v1/courses/", json={"name": "Rate"}, headers=auth)
    course_id: str = response.json()["id"]
    return course_id


def _upload(client: TestClient, auth: Headers, course: str) -> httpx.Response:
    return client.post(
        f"/api/v1/courses/{course}/documents/upload/",
        files={"file": ("notes.txt", b"Photosynthesis turns light into sugar.", "text/plain")},
        headers=auth,
    )


def _import(client: TestClient, auth: Headers, course: str) -> httpx.Response:
    return client.post(
        f"/api/v1/courses/{course}/documents/upload_url",  # without the slash too
        json={"url": "http://127.0.0.1:9/notes.html"},
        headers=auth,
    )


def _limit(response: httpx.Response) -> tuple[int, int]:
    return int(response.headers["ratelimit-limit"]), int(response.headers["ratelimit-remaining"])


def test_the_fourth_upload_in_an_hour_is_refused_with_retry_after(
    client: TestClient, make_user: Callable[[], Headers]
) -> None:
    auth = make_user()
    course = _course(client, auth)
    answers = [_upload(client, auth, course), _import(client, auth, course)]
    answers.append(_upload(client, auth, course))
    assert [r.status_code for r in answers] == [201, 201, 201]
    # Each answer reports the upload limit, the nearer of the two that apply.
    assert [_limit(r) for r in answers] == [(3, 2), (3, 1), (3, 0)]

    for refused in (_upload(client, auth, course), _import(client, auth, course)):
        assert_envelope(refused, 429, "RATE_LIMIT_EXCEEDED")
        assert _limit(refused) == (3, 0)
        assert 1 <= int(refused.headers["retry-after"]) <= 3600
        assert int(refused.headers["ratelimit-reset"]) <= 3600
    listed = client.get(f"/api/v1/courses/{course}/documents/", headers=auth)
    assert listed.json()["count"] == 3
    # Other requests of the same user answer as before, under the per-user limit.
    assert listed.status_code == 200 and _limit(listed)[0] == 100000

    other = make_user()
    assert _upload(client, other, _course(client, other)).status_code == 201
