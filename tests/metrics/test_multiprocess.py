"""Two API processes sharing prometheus_client's multiprocess folder answer for both."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.metrics.test_metrics import sample
from tests.test_serve_e2e import Server, server_env

pytestmark = pytest.mark.slow


def test_either_process_reports_the_requests_both_answered(tmp_path: Path) -> None:
    env = server_env(tmp_path / "var", None)
    env["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path / "prometheus")
    (tmp_path / "prometheus").mkdir()
    first, second = Server(env, tmp_path), Server(env, tmp_path)
    try:
        first.start()
        second.start()
        route = {"method": "GET", "route": "/health", "status": "200"}
        name = "aksio_http_request_duration_seconds_count"
        before = sample(httpx.get(f"{second.base}/metrics").text, name, **route)  # start-up probes
        for server, times in ((first, 3), (second, 2)):
            for _ in range(times):
                assert httpx.get(f"{server.base}/health").status_code == 200
        text = httpx.get(f"{first.base}/metrics").text
        assert sample(text, name, **route) == before + 5
    finally:
        second.stop()
        first.stop()
