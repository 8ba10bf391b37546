"""`Allow` lists every method of a path, a literal path beats a parameter, 401s name Bearer."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import assert_envelope

Headers = dict[str, str]


def test_options_lists_every_method_of_the_path(client: TestClient) -> None:
    expected = {
        "/api/v1/courses/": "GET, POST, OPTIONS",
        "/api/v1/accounts/profile/": "GET, PATCH, OPTIONS",
        "/api/v1/courses/7a783cf3-ff35-4277-a7e4-975bd0630a06/": "GET, PATCH, DELETE, OPTIONS",
        "/api/v1/assessments/flashcards/": "GET, POST, OPTIONS",
        "/api/v1/assessments/flashcards/due": "GET, OPTIONS",
    }
    for path, allow in expected.items():
        response = client.options(path)
        assert (response.status_code, response.headers["allow"]) == (204, allow), path
        assert response.content == b""


def test_wrong_method_is_405_with_the_whole_allow(client: TestClient, auth: Headers) -> None:
    response = client.put("/api/v1/courses/", json={}, headers=auth)
    assert_envelope(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers["allow"] == "GET, POST, OPTIONS"


def test_literal_path_without_the_method_is_405_not_a_missing_id(
    client: TestClient, auth: Headers
) -> None:
    for path in ("/api/v1/assessments/flashcards/", "/api/v1/webhooks/register/"):
        response = client.patch(path, json={"title": "x"}, headers=auth)
        assert_envelope(response, 405, "METHOD_NOT_ALLOWED")
        assert "PATCH" not in response.headers["allow"]
    # A malformed id where the method exists is still a missing resource.
    missing = client.patch("/api/v1/assessments/not-an-id/", json={}, headers=auth)
    assert_envelope(missing, 404, "RESOURCE_NOT_FOUND")
    assert_envelope(client.options("/api/v1/nothing-here/"), 404, "RESOURCE_NOT_FOUND")


def test_every_401_names_the_bearer_scheme(client: TestClient) -> None:
    answers = [
        client.get("/api/v1/courses/"),
        client.get("/api/v1/courses/", headers={"Authorization": "Bearer not.a.jwt"}),
        client.post("/api/v1/accounts/login/", json={"username": "nobody", "password": "x" * 8}),
        client.post("/api/v1/accounts/token-refresh/", json={"refresh": "not.a.jwt"}),
    ]
    for response in answers:
        assert_envelope(response, 401, "AUTHENTICATION_FAILED")
        assert response.headers["www-authenticate"] == "Bearer"
