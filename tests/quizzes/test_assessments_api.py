"""Assessments over HTTP: the resource that content generation fills."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from fastapi.testclient import TestClient

from aksio.aggregates.assessments.assessment import Assessment
from aksio.bootstrap import System
from aksio.commands.bus import UnitOfWork
from tests.conftest import assert_envelope
from tests.quizzes.support import QUIZZES, Headers, make_course, make_quiz, ok

BASE = "/api/v1/assessments/"


def test_create_show_list_patch_delete(client: TestClient, auth: Headers) -> None:
    course = make_course(client, auth)
    created = ok(client.post(BASE, json={"course": course, "title": "Midterm"}, headers=auth), 201)
    assert created["course"] == course and created["title"] == "Midterm"
    assert created["description"] is None and created["generated_content"] is None
    assert created["status"] == "pending" and created["created_at"] == created["updated_at"]
    url = f"{BASE}{created['id']}/"
    assert ok(client.get(url, headers=auth)) == created
    patched = ok(client.patch(url, json={"description": "Chapters 1-3"}, headers=auth))
    assert patched["description"] == "Chapters 1-3" and patched["title"] == "Midterm"
    listed = ok(client.get(BASE, headers=auth))
    assert listed["count"] == 1 and listed["results"][0] == patched
    assert client.delete(url, headers=auth).status_code == 204
    assert_envelope(client.get(url, headers=auth), 404, "RESOURCE_NOT_FOUND")
    assert_envelope(client.delete(url, headers=auth), 404, "RESOURCE_NOT_FOUND")
    assert_envelope(client.patch(url, json={"title": "x"}, headers=auth), 404,
                    "RESOURCE_NOT_FOUND")  # fmt: skip
    assert ok(client.get(BASE, headers=auth))["count"] == 0


def test_generated_content_shows_once_recorded(
    client: TestClient, auth: Headers, system: System
) -> None:
    course = make_course(client, auth)
    created = ok(client.post(BASE, json={"course": course, "title": "Final"}, headers=auth), 201)
    uow = UnitOfWork(system.store, system.services)
    assessment = uow.load(Assessment, uuid.UUID(created["id"]))
    assessment.record_generated({"flashcards": {"count": 0, "flashcards": []}})
    system.wait_for(uow.save(assessment))
    shown = ok(client.get(f"{BASE}{created['id']}/", headers=auth))
    assert shown["status"] == "completed"
    assert shown["generated_content"] == {"flashcards": {"count": 0, "flashcards": []}}


def test_quiz_paths_are_not_taken_for_assessment_ids(client: TestClient, auth: Headers) -> None:
    quiz = make_quiz(client, auth)
    assert ok(client.get(QUIZZES, headers=auth))["count"] == 1
    assert ok(client.get(f"{QUIZZES}{quiz['id']}/", headers=auth))["id"] == quiz["id"]
    assert ok(client.get(BASE, headers=auth))["count"] == 0


def test_errors(
    client: TestClient, auth: Headers, make_user: Callable[[], Headers], system: System
) -> None:
    foreign_course = make_course(client, make_user())
    body = {"course": foreign_course, "title": "T"}
    assert_envelope(client.post(BASE, json=body, headers=auth), 404, "RESOURCE_NOT_FOUND")
    course = make_course(client, auth)
    head = system.store.head()
    for bad in ({"title": ""}, {"title": "T", "extra": 1}, {"course": course}):
        assert_envelope(client.post(BASE, json={"course": course, **bad}, headers=auth), 422,
                        "VALIDATION_ERROR")  # fmt: skip
    assert_envelope(client.post(BASE, json={"course": "nope", "title": "T"}, headers=auth), 400,
                    "VALIDATION_ERROR")  # fmt: skip
    assert system.store.head() == head
    mine = ok(client.post(BASE, json={"course": course, "title": "Mine"}, headers=auth), 201)
    other = make_user()
    url = f"{BASE}{mine['id']}/"
    for response in (
        client.get(url, headers=other),
        client.patch(url, json={"title": "x"}, headers=other),
        client.delete(url, headers=other),
    ):
        assert_envelope(response, 404, "RESOURCE_NOT_FOUND")
    assert ok(client.get(url, headers=auth))["title"] == "Mine"
