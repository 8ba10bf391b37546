"""Structured logs: `AKSIO_LOG_FORMAT=json` gives one JSON object a line, with the request's
id, user, route, status and duration; the text format shows the same fields."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from aksio.logs import configure
from tests.test_serve_e2e import PASSWORD, free_port, server_env


def test_both_formats_carry_the_extras(capsys: pytest.CaptureFixture[str]) -> None:
    try:
        configure("json", "info")
        logging.getLogger("aksio.test").info("batch", extra={"position": 7, "events": 3})
        line = capsys.readouterr().err.strip().splitlines()[-1]
        record = json.loads(line)
        assert record["message"] == "batch" and record["level"] == "INFO"
        assert (record["position"], record["events"], record["logger"]) == (7, 3, "aksio.test")
        configure("text", "info")
        logging.getLogger("aksio.test").info("batch", extra={"position": 8, "color_message": "c"})
        assert capsys.readouterr().err.rstrip().endswith("INFO aksio.test batch position=8")
    finally:
        logging.getLogger().handlers = []


@pytest.mark.slow
def test_a_served_request_logs_one_json_line(tmp_path: Path) -> None:
    env = server_env(tmp_path / "var", None) | {"AKSIO_LOG_FORMAT": "json"}
    port = free_port()
    log = tmp_path / "serve.log"
    command = [sys.executable, "-m", "aksio.cli", "serve", "--port", str(port)]
    with log.open("wb") as out:
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{base}/health", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        body = {"email": "log@example.com", "password": PASSWORD}
        access = httpx.post(f"{base}/api/v1/accounts/register/", json=body).json()["access"]
        headers = {"Authorization": f"Bearer {access}", "X-Request-ID": "trace-me"}
        assert httpx.get(f"{base}/api/v1/courses/", headers=headers).status_code == 200
        user = httpx.get(f"{base}/api/v1/accounts/profile/", headers=headers).json()["id"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    records: list[dict[str, Any]] = [json.loads(line) for line in log.read_text().splitlines()]
    (mine,) = [
        r for r in records if r.get("request_id") == "trace-me" and "courses" in r["message"]
    ]
    assert mine["logger"] == "aksio.access" and mine["user_id"] == user
    assert (mine["method"], mine["route"], mine["status"]) == ("GET", "/api/v1/courses/", 200)
    assert mine["duration_ms"] > 0
    assert any(r["logger"].startswith("uvicorn") for r in records)  # the server's own, as JSON
    assert not any("color_message" in r for r in records)  # uvicorn's coloured copy is left out
