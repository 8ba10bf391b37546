"""Helpers shared by the flashcards API tests."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

BASE = "/api/v1/assessments/flashcards"
HEADER = "card_id,review_rating,review_time,review_duration"


def make_course(client: TestClient, auth: dict[str, str], **fields: Any) -> str:
    response = client.post("/api/v1/courses/", json={"name": "Biology", **fields}, headers=auth)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def make_card(client: TestClient, auth: dict[str, str], course: str, **fields: Any) -> Any:
    body = {"course": course, "question": "What is ATP?", "answer": "Energy currency", **fields}
    response = client.post(f"{BASE}/", json=body, headers=auth)
    assert response.status_code == 201, response.text
    return response.json()


def review(client: TestClient, auth: dict[str, str], card_id: str, quality: int) -> Any:
    response = client.post(
        f"{BASE}/{card_id}/review/", json={"quality_response": quality}, headers=auth
    )
    assert response.status_code == 200, response.text
    return response.json()


def upload(client: TestClient, auth: dict[str, str], data: bytes, course: str | None = None) -> Any:
    form = {"course": course} if course else {}
    files = {"file": ("review_logs.csv", data, "text/csv")}
    return client.post(f"{BASE}/import/", files=files, data=form, headers=auth)
