"""Tutoring sessions: planned, started, completed, in that order only."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from aksio.core.clock import FixedClock
from tests.ai.support import Headers, course
from tests.conftest import assert_envelope

BASE = "/api/v1/chat/tutoring-sessions/"


def test_session_runs_from_planned_to_completed(
    client: TestClient, auth: Headers, clock: FixedClock
) -> None:
    body = {"course": course(client, auth), "title": "Derivatives", "session_type": "practice",
            "learning_objectives": ["Master the chain rule"], "estimated_duration_minutes": 60,
            "difficulty_level": "intermediate"}  # fmt: skip
    created = client.post(BASE, json=body, headers=auth)
    assert created.status_code == 201, created.text
    session = created.json()
    assert session["status"] == "planned" and session["started_at"] is None
    url = f"{BASE}{session['id']}/"
    assert_envelope(client.post(f"{url}complete/", json={}, headers=auth), 409, "INVALID_STATE")
    started = client.post(f"{url}start/", headers=auth).json()
    assert started["status"] == "in_progress" and started["started_at"]
    assert_envelope(client.post(f"{url}start/", headers=auth), 409, "INVALID_STATE")
    clock.advance(minutes=45)
    outcome = {"objectives_achieved": ["Chain rule"], "concepts_mastered": ["chain_rule"],
               "areas_for_improvement": ["nested functions"], "user_satisfaction": 4,
               "learning_effectiveness": 5, "session_notes": "Good progress."}  # fmt: skip
    done = client.post(f"{url}complete/", json=outcome, headers=auth).json()
    assert done["status"] == "completed" and done["duration_minutes"] == 45
    assert done["areas_for_improvement"] == ["nested functions"]
    assert_envelope(client.post(f"{url}complete/", json={}, headers=auth), 409, "INVALID_STATE")
    stats = client.get("/api/v1/chat/chats/stats/", headers=auth).json()
    assert stats["learning_insights"]["knowledge_gaps_identified"] == 1


def test_list_patch_delete_and_foreign_sessions(
    client: TestClient, auth: Headers, make_user: Callable[[], Headers]
) -> None:
    session = client.post(BASE, json={"title": "Review"}, headers=auth).json()
    url = f"{BASE}{session['id']}/"
    patched = client.patch(url, json={"title": "Final review"}, headers=auth).json()
    assert patched["title"] == "Final review"
    listed = client.get(BASE, params={"status": "planned"}, headers=auth).json()
    assert [s["id"] for s in listed["results"]] == [session["id"]]
    other = make_user()
    assert_envelope(client.get(url, headers=other), 404, "RESOURCE_NOT_FOUND")
    assert_envelope(client.post(f"{url}start/", headers=other), 404, "RESOURCE_NOT_FOUND")
    assert client.delete(url, headers=auth).status_code == 204
    assert_envelope(client.get(url, headers=auth), 404, "RESOURCE_NOT_FOUND")
    bad = client.post(BASE, json={"title": "x", "user_satisfaction": 9}, headers=auth)
    assert_envelope(bad, 422, "VALIDATION_ERROR")
