"""Bodies past the limit are 413 however they are sent; undecodable JSON is VALIDATION_ERROR."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from aksio.api.routes.documents import MAX_FILE_BYTES
from tests.conftest import assert_envelope

MB = 1024 * 1024


def _chunked_json(size: int) -> Iterator[bytes]:
    """A JSON body streamed without Content-Length, so only the byte count can stop it."""
    yield b'{"name": "'
    for _ in range(size // (64 * 1024)):
        yield b"x" * (64 * 1024)
    yield b'"}'


def _chunked_upload(size: int) -> Iterator[bytes]:
    yield b"--B\r\n"
    yield b'Content-Disposition: form-data; name="file"; filename="a.txt"\r\n'
    yield b"Content-Type: text/plain\r\n\r\n"
    for _ in range(size // MB):
        yield b"x" * MB
    yield b"\r\n--B--\r\n"


@pytest.fixture
def course(client: TestClient, auth: dict[str, str]) -> str:
    response = client.post("/api/v1/courses/", json={"name": "Limits"}, headers=auth)
    course_id: str = response.json()["id"]
    return course_id


@pytest.mark.parametrize("backend", ["sqlite"], indirect=False)
def test_a_chunked_json_body_past_the_limit_is_413(
    client: TestClient, auth: dict[str, str]
) -> None:
    headers = {**auth, "content-type": "application/json"}
    response = client.post("/api/v1/courses/", content=_chunked_json(2 * MB), headers=headers)
    assert_envelope(response, 413, "PAYLOAD_TOO_LARGE")
    # The same body with a length is refused the same way before it is read.
    sized = client.post(
        "/api/v1/courses/", content=b"".join(_chunked_json(2 * MB)), headers=headers
    )
    assert_envelope(sized, 413, "PAYLOAD_TOO_LARGE")


@pytest.mark.parametrize("backend", ["sqlite"], indirect=False)
def test_a_chunked_upload_past_the_limit_is_413_and_stores_nothing(
    client: TestClient, auth: dict[str, str], course: str
) -> None:
    headers = {**auth, "content-type": "multipart/form-data; boundary=B"}
    url = f"/api/v1/courses/{course}/documents/upload/"
    response = client.post(url, content=_chunked_upload(MAX_FILE_BYTES + MB), headers=headers)
    assert_envelope(response, 413, "PAYLOAD_TOO_LARGE")
    listed = client.get(f"/api/v1/courses/{course}/documents/", headers=auth).json()
    assert listed["count"] == 0


@pytest.mark.parametrize("backend", ["sqlite"], indirect=False)
@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b"{bad", None),
        (b"[" * 100_000 + b"]" * 100_000, "JSON nested too deeply."),
        (b'{"name": "\xff\xfe"}', "The body is not valid UTF-8 JSON."),
    ],
)
def test_malformed_and_undecodable_json_share_one_answer(
    client: TestClient, auth: dict[str, str], body: bytes, detail: str | None
) -> None:
    headers = {**auth, "content-type": "application/json"}
    response = client.post("/api/v1/courses/", content=body, headers=headers)
    found = assert_envelope(response, 400, "VALIDATION_ERROR")
    if detail is not None:
        assert found["details"] == {"body": [detail]}
