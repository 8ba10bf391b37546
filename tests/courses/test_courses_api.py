"""Courses and sections over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from aksio.bootstrap import System
from aksio.projections.courses import courses, sections
from tests.conftest import assert_envelope

Headers = dict[str, str]


def create(client: TestClient, auth: Headers, **fields: Any) -> dict[str, Any]:
    response = client.post("/api/v1/courses/", json={"name": "Calculus", **fields}, headers=auth)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_create_answers_full_resource_and_lists_it(client: TestClient, auth: Headers) -> None:
    course = create(client, auth, course_code="MATH-401", credits=4, start_date="2024-01-20")
    assert course["name"] == "Calculus" and course["status"] == "active"
    assert course["start_date"] == "2024-01-20" and course["created_at"] == course["updated_at"]
    listed = client.get("/api/v1/courses/", headers=auth).json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == course["id"]
    assert listed["next"] is None and listed["previous"] is None


def test_pagination_links(client: TestClient, auth: Headers) -> None:
    for n in range(5):
        create(client, auth, name=f"Course {n}")
    first = client.get("/api/v1/courses/?page_size=2", headers=auth).json()
    assert first["count"] == 5 and len(first["results"]) == 2
    assert first["previous"] is None and "page=2" in first["next"]
    last = client.get("/api/v1/courses/?page_size=2&page=3", headers=auth).json()
    assert [c["name"] for c in last["results"]] == ["Course 4"] and last["next"] is None
    assert_envelope(client.get("/api/v1/courses/?page_size=201", headers=auth), 422,
                    "VALIDATION_ERROR")  # fmt: skip


def test_patch_changes_fields_and_archives(client: TestClient, auth: Headers) -> None:
    course = create(client, auth)
    url = f"/api/v1/courses/{course['id']}/"
    patched = client.patch(url, json={"scheduler": "fsrs", "credits": 5}, headers=auth).json()
    assert patched["scheduler"] == "fsrs" and patched["credits"] == 5
    assert patched["updated_at"] >= patched["created_at"]
    assert client.patch(url, json={"status": "archived"}, headers=auth).json()["status"] == (
        "archived"
    )
    assert client.patch(url, json={"status": "active"}, headers=auth).json()["status"] == "active"
    assert client.delete(url, headers=auth).status_code == 204
    assert client.get(url, headers=auth).json()["status"] == "archived"
    archived = client.get("/api/v1/courses/?status=archived", headers=auth).json()
    assert archived["count"] == 1


def test_another_users_course_is_not_found_on_every_verb(
    client: TestClient, auth: Headers, make_user: Callable[[], Headers]
) -> None:
    course = create(client, auth)
    other = make_user()
    url = f"/api/v1/courses/{course['id']}/"
    assert_envelope(client.get(url, headers=other), 404, "RESOURCE_NOT_FOUND")
    assert_envelope(client.patch(url, json={"name": "x"}, headers=other), 404,
                    "RESOURCE_NOT_FOUND")  # fmt: skip
    assert_envelope(client.delete(url, headers=other), 404, "RESOURCE_NOT_FOUND")
    assert_envelope(client.post(f"{url}sections/", json={"title": "t"}, headers=other), 404,
                    "RESOURCE_NOT_FOUND")  # fmt: skip
    assert client.get("/api/v1/courses/", headers=other).json()["count"] == 0
    assert client.get(url, headers=auth).json()["name"] == "Calculus"


def test_bad_input_gets_the_envelope_and_stores_nothing(
    client: TestClient, auth: Headers, system: System
) -> None:
    head = system.store.head()
    assert_envelope(client.post("/api/v1/courses/", json={"name": 5}, headers=auth), 400,
                    "VALIDATION_ERROR")  # fmt: skip
    bad_json = client.post(
        "/api/v1/courses/", content=b'{"name": ', headers={**auth, "content-type":
                                                           "application/json"}
    )  # fmt: skip
    assert_envelope(bad_json, 400, "VALIDATION_ERROR")
    enum = client.post("/api/v1/courses/", json={"name": "x", "scheduler": "anki"}, headers=auth)
    assert "scheduler" in assert_envelope(enum, 422, "VALIDATION_ERROR")["details"]
    dates = {"name": "x", "start_date": "2024-05-01", "end_date": "2024-01-01"}
    body = assert_envelope(client.post("/api/v1/courses/", json=dates, headers=auth), 422,
                           "VALIDATION_ERROR")  # fmt: skip
    assert "end_date" in body["details"]
    assert_envelope(client.post("/api/v1/courses/", json={"name": ""}, headers=auth), 422,
                    "VALIDATION_ERROR")  # fmt: skip
    unknown = client.post("/api/v1/courses/", json={"name": "x", "colour": "red"}, headers=auth)
    assert_envelope(unknown, 422, "VALIDATION_ERROR")
    assert_envelope(client.get("/api/v1/courses/not-a-uuid/", headers=auth), 404,
                    "RESOURCE_NOT_FOUND")  # fmt: skip
    assert_envelope(client.post("/api/v1/courses/", json={"name": "x"}), 401,
                    "AUTHENTICATION_FAILED")  # fmt: skip
    assert system.store.head() == head


def test_sections_crud(client: TestClient, auth: Headers) -> None:
    course = create(client, auth)
    base = f"/api/v1/courses/{course['id']}/sections/"
    second = client.post(base, json={"title": "Derivatives", "order": 2}, headers=auth).json()
    first = client.post(base, json={"title": "Limits", "order": 1}, headers=auth).json()
    assert [s["title"] for s in client.get(base, headers=auth).json()["results"]] == [
        "Limits", "Derivatives"]  # fmt: skip
    changed = client.patch(f"{base}{first['id']}", json={"title": "Limits!"}, headers=auth)
    assert changed.status_code == 200 and changed.json()["title"] == "Limits!"
    assert client.delete(f"{base}{second['id']}/", headers=auth).status_code == 204
    assert_envelope(client.get(f"{base}{second['id']}/", headers=auth), 404, "RESOURCE_NOT_FOUND")
    assert_envelope(client.delete(f"{base}{second['id']}/", headers=auth), 404,
                    "RESOURCE_NOT_FOUND")  # fmt: skip
    assert client.get(f"/api/v1/courses/{course['id']}/", headers=auth).json()[
        "section_count"] == 1  # fmt: skip


def test_rebuilt_read_model_answers_the_same(
    client: TestClient, auth: Headers, system: System
) -> None:
    course = create(client, auth, description="d", exam_date="2024-06-01")
    client.post(f"/api/v1/courses/{course['id']}/sections/", json={"title": "A"}, headers=auth)
    client.patch(f"/api/v1/courses/{course['id']}/", json={"credits": 3}, headers=auth)
    create(client, auth, name="Physics")
    before_api = client.get("/api/v1/courses/", headers=auth).json()
    with system.engine.connect() as conn:
        before = [sorted(map(dict, conn.execute(t.select()).mappings()), key=str)
                  for t in (courses, sections)]  # fmt: skip
    projection = next(p for p in system.projections if p.name == "courses")
    system.runner.rebuild([projection])
    with system.engine.connect() as conn:
        after = [sorted(map(dict, conn.execute(t.select()).mappings()), key=str)
                 for t in (courses, sections)]  # fmt: skip
    assert after == before and len(before[0]) == 2
    assert client.get("/api/v1/courses/", headers=auth).json() == before_api
