"""JSON Schema's `integer` takes 5.0 (a number, however it is spelled); other coercions stay out."""

from __future__ import annotations

from fastapi.testclient import TestClient

Headers = dict[str, str]


def test_an_integral_float_is_an_integer_and_nothing_else_is(
    client: TestClient, auth: Headers
) -> None:
    made = client.post("/api/v1/courses/", json={"name": "c", "credits": 4.0}, headers=auth)
    assert made.status_code == 201, made.text
    assert made.json()["credits"] == 4 and isinstance(made.json()["credits"], int)
    for wrong in (4.5, "4", True):
        refused = client.post(
            "/api/v1/courses/", json={"name": "c", "credits": wrong}, headers=auth
        )
        assert refused.status_code == 400, (wrong, refused.text)
