"""Helpers of the AI suites: courses, real documents uploaded and processed, assessments."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from aksio.bootstrap import System
from tests.ai.material import notes_pdf

Headers = dict[str, str]


def course(client: TestClient, auth: Headers, name: str = "Biology") -> str:
    response = client.post("/api/v1/courses/", json={"name": name}, headers=auth)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def upload(
    client: TestClient, system: System, auth: Headers, course_id: str, pages: int = 5,
    name: str = "Biology notes", content: bytes | None = None, process: bool = True,
) -> str:  # fmt: skip
    """Uploads a real PDF through the API and, with `process`, runs processing to its end."""
    response = client.post(
        f"/api/v1/courses/{course_id}/documents/upload/",
        files={"file": (f"{name}.pdf", content or notes_pdf(pages), "application/pdf")},
        data={"name": name},
        headers=auth,
    )
    assert response.status_code == 201, response.text
    if process:
        system.drain()
    return str(response.json()["document"]["id"])


def assessment(client: TestClient, auth: Headers, course_id: str) -> str:
    body = {"course": course_id, "title": "Cell biology"}
    response = client.post("/api/v1/assessments/", json=body, headers=auth)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def generate(client: TestClient, auth: Headers, assessment_id: str, **body: Any) -> Any:
    return client.post(
        f"/api/v1/assessments/{assessment_id}/generate_content/", json=body, headers=auth
    )


def chat(client: TestClient, auth: Headers, **body: Any) -> dict[str, Any]:
    response = client.post("/api/v1/chat/chats/", json={"title": "Study", **body}, headers=auth)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def send(client: TestClient, auth: Headers, chat_id: str, content: str, **body: Any) -> Any:
    return client.post(
        f"/api/v1/chat/chats/{chat_id}/send_message/",
        json={"content": content, **body},
        headers=auth,
    )
