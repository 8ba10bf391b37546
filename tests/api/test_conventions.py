"""API conventions every route shares: envelope, request ids, slashes, limits, health, schema."""

from __future__ import annotations

from pathlib import Path
from uuid import uuid4

from fastapi.testclient import TestClient

from aksio.api.app import create_app
from aksio.bootstrap import System, build, migrate
from tests.conftest import assert_envelope, make_settings

Headers = dict[str, str]


def test_request_id_is_generated_or_kept(client: TestClient, auth: Headers) -> None:
    generated = client.get("/api/v1/courses/", headers=auth)
    assert len(generated.headers["x-request-id"]) >= 16
    kept = client.get("/api/v1/courses/", headers={**auth, "X-Request-ID": "trace-42"})
    assert kept.headers["x-request-id"] == "trace-42"
    missing = client.get("/api/v1/nothing-here/", headers={"X-Request-ID": "trace-43"})
    assert assert_envelope(missing, 404, "RESOURCE_NOT_FOUND")["request_id"] == "trace-43"


def test_path_without_trailing_slash_keeps_the_body(client: TestClient, auth: Headers) -> None:
    response = client.post("/api/v1/courses", json={"name": "No slash"}, headers=auth)
    assert response.status_code == 201 and response.json()["name"] == "No slash"
    assert client.get("/api/v1/courses", headers=auth).json()["count"] == 1


def test_wrong_method_and_missing_token(client: TestClient, auth: Headers) -> None:
    assert_envelope(client.put("/api/v1/courses/", json={}, headers=auth), 405,
                    "METHOD_NOT_ALLOWED")  # fmt: skip
    assert_envelope(client.get("/api/v1/courses/"), 401, "AUTHENTICATION_FAILED")
    bad = {"Authorization": "Bearer not.a.jwt"}
    assert_envelope(client.get("/api/v1/courses/", headers=bad), 401, "AUTHENTICATION_FAILED")


def test_huge_body_is_413_and_stores_nothing(
    client: TestClient, auth: Headers, system: System
) -> None:
    head = system.store.head()
    huge = b'{"name": "' + b"x" * 2_000_000 + b'"}'
    response = client.post(
        "/api/v1/courses/", content=huge, headers={**auth, "content-type": "application/json"}
    )
    assert_envelope(response, 413, "PAYLOAD_TOO_LARGE")
    assert system.store.head() == head


def test_unhandled_error_is_500_envelope_without_internals(system: System) -> None:
    app = create_app(system)

    def boom() -> None:
        raise RuntimeError("secret internal detail")

    app.add_api_route("/api/v1/boom/", boom)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/v1/boom/")
    body = assert_envelope(response, 500, "INTERNAL_ERROR")
    assert "secret" not in response.text and body["details"] == {}


def test_rate_limits_answer_429_with_headers(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, rate_limit_anon="3/minute", rate_limit_user="5/minute")
    migrate(settings)
    system = build(settings)
    try:
        with TestClient(create_app(system)) as client:
            answers = [client.get("/api/v1/courses/") for _ in range(4)]
            assert [r.status_code for r in answers] == [401, 401, 401, 429]
            assert [r.headers["ratelimit-remaining"] for r in answers[:3]] == ["2", "1", "0"]
            assert answers[0].headers["ratelimit-limit"] == "3"
            limited = assert_envelope(answers[3], 429, "RATE_LIMIT_EXCEEDED")
            assert limited["request_id"]
            assert 1 <= int(answers[3].headers["retry-after"]) <= 60
            token = system.tokens.access(uuid4(), system.clock.now())
            user = {"Authorization": f"Bearer {token}"}
            statuses = [client.get("/api/v1/courses/", headers=user).status_code
                        for _ in range(6)]  # fmt: skip
            assert statuses == [200] * 5 + [429]
    finally:
        system.close()


def test_health_reports_database_and_projection_lag(client: TestClient, auth: Headers) -> None:
    client.post("/api/v1/courses/", json={"name": "x"}, headers=auth)
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["head"] >= 1
    assert body["projections"]["courses"] == {"position": body["head"], "lag": 0}


def test_openapi_describes_routes_with_schemas(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    create = schema["paths"]["/api/v1/courses/"]["post"]
    assert "requestBody" in create and "201" in create["responses"]
    assert create["summary"] and "422" in create["responses"]
    assert "CourseOut" in schema["components"]["schemas"]
