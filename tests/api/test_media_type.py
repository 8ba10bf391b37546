"""A JSON body sent under another media type is 415, as the contract says, not 400."""

from __future__ import annotations

from fastapi.testclient import TestClient

from aksio.bootstrap import System
from tests.conftest import assert_envelope

Headers = dict[str, str]


def test_json_body_under_another_media_type_is_415(
    client: TestClient, auth: Headers, system: System
) -> None:
    head = system.store.head()
    for kind in ("text/plain", "application/x-www-form-urlencoded", "application/xml"):
        response = client.post(
            "/api/v1/courses/", content=b'{"name": "x"}', headers={**auth, "content-type": kind}
        )
        assert_envelope(response, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert system.store.head() == head


def test_json_media_types_are_still_parsed(client: TestClient, auth: Headers) -> None:
    for kind in ("application/json", "application/json; charset=utf-8"):
        response = client.post(
            "/api/v1/courses/", content=b'{"name": "x"}', headers={**auth, "content-type": kind}
        )
        assert response.status_code == 201, response.text
    malformed = client.post(
        "/api/v1/courses/", content=b"[1, 2]", headers={**auth, "content-type": "application/json"}
    )
    assert_envelope(malformed, 400, "VALIDATION_ERROR")


def test_form_routes_keep_their_field_errors(client: TestClient, auth: Headers) -> None:
    course = client.post("/api/v1/courses/", json={"name": "c"}, headers=auth).json()["id"]
    response = client.post(
        f"/api/v1/courses/{course}/documents/upload/", json={"name": "x"}, headers=auth
    )
    assert response.status_code in (400, 422), response.text
    assert response.json()["error_code"] == "VALIDATION_ERROR"
