"""The OpenAPI description: the error envelope, each operation's statuses and the examples."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from fastapi.testclient import TestClient

from aksio.api.app import create_app
from aksio.api.openapi_examples import EXAMPLES
from aksio.bootstrap import build, migrate
from tests.conftest import make_settings

Spec = dict[str, Any]


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Spec]:
    """The description as served (the database plays no part in it: SQLite only)."""
    settings = make_settings(tmp_path_factory.mktemp("openapi"))
    migrate(settings)
    system = build(settings)
    try:
        with TestClient(create_app(system)) as client:
            response = client.get("/openapi.json")
        assert response.status_code == 200
        yield response.json()
    finally:
        system.close()


def _valid(spec: Spec, schema: dict[str, Any], value: Any) -> list[str]:
    """Errors of `value` against `schema`, whose `$ref`s point into the description."""
    validator = jsonschema_rs.validator_for({**schema, "components": spec["components"]})
    return [error.message for error in validator.iter_errors(value)]


def test_every_error_answer_is_the_envelope(spec: Spec) -> None:
    envelope = spec["components"]["schemas"]["Error"]
    assert envelope["required"] == ["error", "details", "error_code", "timestamp", "request_id"]
    assert not _valid(spec, envelope, envelope["example"])
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for status, answer in operation["responses"].items():
                if status[0] in "45" and (path, status) != ("/health", "503"):  # a report
                    schema = answer["content"]["application/json"]["schema"]
                    assert "#/components/schemas/Error" in str(schema), (method, path, status)


def test_statuses_follow_what_an_operation_takes(spec: Spec) -> None:
    paths = spec["paths"]

    def statuses(method: str, path: str) -> set[str]:
        return set(paths[path][method]["responses"])

    courses = statuses("post", "/api/v1/courses/")
    expected = {"201", "400", "401", "408", "409", "413", "415", "422", "429", "431", "500", "503"}
    assert expected <= courses
    assert "405" not in courses and "415" not in statuses("get", "/api/v1/courses/")
    assert {"401", "404"} <= statuses("get", "/api/v1/courses/{course_id}/")
    assert "413" not in statuses("get", "/api/v1/courses/{course_id}/")
    assert {"401", "415"} <= statuses("post", "/api/v1/accounts/feedback/")
    assert "401" in statuses("post", "/api/v1/accounts/login/")
    assert "401" not in statuses("post", "/api/v1/accounts/register/")
    assert "404" in statuses("get", "/api/v1/accounts/profile/")
    unauthorized = paths["/api/v1/courses/"]["get"]["responses"]["401"]
    assert "WWW-Authenticate" in unauthorized["headers"]
    assert "Retry-After" in paths["/api/v1/courses/"]["get"]["responses"]["429"]["headers"]


def test_a_conflict_names_only_conflict_codes(spec: Spec) -> None:
    answer = spec["paths"]["/api/v1/courses/"]["post"]["responses"]["409"]
    schema = answer["content"]["application/json"]["schema"]
    body = {
        "error": "x",
        "details": {},
        "error_code": "INVALID_STATE",
        "timestamp": "2024-01-20T10:00:00Z",
        "request_id": "r",
    }
    assert not _valid(spec, schema, body)
    assert _valid(spec, schema, {**body, "error_code": "RESOURCE_NOT_FOUND"})


def test_examples_of_the_api_description_fit_their_schemas(spec: Spec) -> None:
    checked = 0
    for (method, path), (request, response) in EXAMPLES.items():
        operation = spec["paths"][path][method]
        if request is not None:
            content = operation["requestBody"]["content"]["application/json"]
            assert content["examples"]["api"]["value"] == request
            assert not _valid(spec, content["schema"], request), (method, path)
            checked += 1
        if response is not None:
            success = next(code for code in operation["responses"] if code.startswith("2"))
            content = operation["responses"][success]["content"]["application/json"]
            assert not _valid(spec, content["schema"], response), (method, path)
            checked += 1
    assert checked >= 20


def test_form_fields_offer_no_null(spec: Spec) -> None:
    upload = spec["paths"]["/api/v1/courses/{course_id}/documents/upload/"]["post"]
    ref = upload["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"]
    form = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert "null" not in str(form["properties"])


def test_routes_outside_the_api_keep_their_own_failures(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    migrate(settings)
    system = build(settings)
    try:
        app = create_app(system)
        app.add_api_route("/probe", lambda: {}, responses={503: {"description": "Degraded."}})
        responses = app.openapi()["paths"]["/probe"]["get"]["responses"]
    finally:
        system.close()
    assert responses["503"] == {"description": "Degraded."}
    assert {"408", "431", "500"} <= set(responses)
