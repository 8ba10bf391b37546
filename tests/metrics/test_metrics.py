"""`/metrics` speaks the Prometheus text format and counts what happened."""

from __future__ import annotations

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from aksio.bootstrap import System


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample, whatever order its labels come in."""
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and found.labels == labels:
                return float(found.value)
    raise AssertionError(f"{name} {labels} missing")


def test_metrics_report_latency_by_route_and_lags(
    client: TestClient, auth: dict[str, str], system: System
) -> None:
    course = client.post("/api/v1/courses/", json={"name": "Algebra"}, headers=auth).json()
    for _ in range(3):
        client.get(f"/api/v1/courses/{course['id']}", headers=auth)
    system.drain()
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = response.text
    route = {"method": "GET", "route": "/api/v1/courses/{course_id}/", "status": "200"}
    assert sample(text, "aksio_http_request_duration_seconds_count", **route) == 3
    assert sample(text, "aksio_http_request_duration_seconds_bucket", **route, le="+Inf") == 3
    assert sample(text, "aksio_projection_lag_events", projection="courses") == 0
    assert sample(text, "aksio_event_store_head") == system.store.head() >= 1
    assert sample(text, "aksio_webhook_failures_total") == 0
    assert "# TYPE aksio_http_request_duration_seconds histogram" in text
