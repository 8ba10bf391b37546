"""Feedback over HTTP: JSON, and multipart with a real PNG screenshot."""

from __future__ import annotations

import hashlib
import struct
import zlib
from uuid import UUID

from fastapi.testclient import TestClient

from aksio.aggregates.accounts.feedback import Feedback
from aksio.bootstrap import System
from aksio.settings import Settings
from tests.conftest import assert_envelope

URL = "/api/v1/accounts/feedback/"


def png(width: int = 4, height: int = 3) -> bytes:
    """A valid RGB PNG: a red-to-blue gradient, built with zlib and struct only."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    rows = b"".join(
        b"\x00" + b"".join(bytes((255 * x // width, 0, 255 * y // height)) for x in range(width))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def test_json_feedback_answers_the_resource(client: TestClient, auth: dict[str, str]) -> None:
    payload = {
        "feedback_type": "feature_request",
        "subject": "Add more quiz types",
        "message": "It would be great to have true/false questions",
    }
    response = client.post(URL, json=payload, headers=auth)
    assert response.status_code == 201, response.text
    body = response.json()
    assert {k: body[k] for k in payload} == payload
    assert body["screenshot"] is None and UUID(body["id"])
    assert body["created_at"] == body["updated_at"]


def test_multipart_feedback_stores_the_screenshot(
    client: TestClient, auth: dict[str, str], settings: Settings, system: System
) -> None:
    image = png()
    response = client.post(
        URL,
        data={"feedback_type": "bug_report", "subject": "Crash", "message": "See the picture"},
        files={"screenshot": ("shot.png", image, "image/png")},
        headers=auth,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    digest = hashlib.sha256(image).hexdigest()
    assert body["screenshot"] == {"size": len(image), "content_type": "image/png", "sha256": digest}
    assert body["message"] == "See the picture"
    stored = settings.data_dir / "feedback" / digest
    assert stored.read_bytes() == image
    stored_feedback: object = system.store.repository.get(UUID(body["id"]))
    assert isinstance(stored_feedback, Feedback) and stored_feedback.screenshot is not None
    assert stored_feedback.screenshot["path"] == f"feedback/{digest}"


def test_multipart_without_a_screenshot(client: TestClient, auth: dict[str, str]) -> None:
    response = client.post(URL, data={"message": "Just words"}, headers=auth)
    assert response.status_code == 201, response.text
    assert response.json()["screenshot"] is None


def test_screenshot_that_is_not_an_image_is_415(
    client: TestClient, auth: dict[str, str], settings: Settings
) -> None:
    response = client.post(
        URL,
        data={"message": "Look"},
        files={"screenshot": ("shot.png", b"#!/bin/sh\necho hi\n", "image/png")},
        headers=auth,
    )
    assert_envelope(response, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert not (settings.data_dir / "feedback").exists()


def test_missing_message_is_422(client: TestClient, auth: dict[str, str]) -> None:
    body = assert_envelope(client.post(URL, json={"subject": "x"}, headers=auth), 422,
                           "VALIDATION_ERROR")  # fmt: skip
    assert "message" in body["details"]
    form = client.post(URL, data={"subject": "x"}, files={"screenshot": ("a.png", png())},
                       headers=auth)  # fmt: skip
    assert "message" in assert_envelope(form, 422, "VALIDATION_ERROR")["details"]


def test_text_where_the_screenshot_file_belongs_is_422(
    client: TestClient, auth: dict[str, str]
) -> None:
    response = client.post(URL, data={"message": "x", "screenshot": "oops"}, headers=auth)
    assert "screenshot" in assert_envelope(response, 422, "VALIDATION_ERROR")["details"]


def test_malformed_json_is_400(client: TestClient, auth: dict[str, str]) -> None:
    headers = {**auth, "Content-Type": "application/json"}
    response = client.post(URL, content=b"{not json", headers=headers)
    assert_envelope(response, 400, "VALIDATION_ERROR")


def test_feedback_needs_authentication(client: TestClient) -> None:
    assert_envelope(client.post(URL, json={"message": "hi"}), 401, "AUTHENTICATION_FAILED")
