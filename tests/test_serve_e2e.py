"""`aksio serve` as a real process: register, create and list over HTTP, restart, log in."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.slow

SECRET = "e2e-secret-key-that-is-long-enough-for-hs256"
PASSWORD = "a long enough password"
START_TIMEOUT_S = 60.0
# uvicorn re-raises SIGTERM after its graceful shutdown, so the process may end by that signal.
GRACEFUL_EXIT = (0, -signal.SIGTERM)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def server_env(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AKSIO_")}
    env.update(
        {
            "AKSIO_DATA_DIR": str(data_dir),
            "AKSIO_SECRET_KEY": SECRET,
            "AKSIO_RATE_LIMIT_USER": "100000/minute",
            "AKSIO_RATE_LIMIT_ANON": "100000/minute",
            "AKSIO_PASSWORD_HASH_MEMORY_KIB": "1024",
            "AKSIO_EMAIL_BACKEND": f"file://{data_dir.parent / 'mail'}",
        }
    )
    if database_url:
        env["AKSIO_DATABASE_URL"] = database_url
    return env


class Server:
    """One `aksio serve` process on a free loopback port."""

    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        self.env = env
        self.workdir = workdir
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = workdir / f"serve-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "aksio.cli", "serve", "--host", "127.0.0.1"]
        command += ["--port", str(self.port), "--no-access-log", "--log-level", "warning"]
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                command, env=self.env, cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"aksio serve exited with {self.proc.returncode}:\n{self.output()}")
            try:
                if httpx.get(f"{self.base}/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        pytest.fail(f"aksio serve did not answer /health in time:\n{self.output()}")

    def stop(self) -> int:
        """Stops the server as an operator would (SIGTERM) and returns its exit code."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest) -> str | None:
    return str(request.getfixturevalue("pg_url")) if backend == "postgres" else None


@pytest.fixture
def server(database_url: str | None, tmp_path: Path) -> Iterator[Server]:
    running = Server(server_env(tmp_path / "var", database_url), tmp_path)
    yield running
    if running.proc is not None:
        running.stop()


def register(http: httpx.Client) -> tuple[dict[str, str], dict[str, Any]]:
    """Registers a new account; returns its Authorization headers and its user summary."""
    email = f"e2e-{uuid.uuid4().hex[:10]}@example.com"
    response = http.post("/api/v1/accounts/register/", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.text
    session: dict[str, Any] = response.json()
    assert session["user"]["email"] == email and session["refresh"]
    return {"Authorization": f"Bearer {session['access']}"}, session["user"]


def log_in(http: httpx.Client, email: str) -> dict[str, Any]:
    response = http.post("/api/v1/accounts/login/", json={"username": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    session: dict[str, Any] = response.json()
    return session


COURSE = {
    "name": "Cell Biology",
    "course_code": "BIO-101",
    "credits": 5,
    "start_date": "2025-01-13",
    "end_date": "2025-05-30",
}


def list_courses(http: httpx.Client, headers: dict[str, str]) -> dict[str, Any]:
    response = http.get("/api/v1/courses/", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_register_create_list_and_restart(server: Server, backend: str) -> None:
    server.start()
    with httpx.Client(base_url=server.base, timeout=30) as http:
        health = http.get("/health").json()
        assert health["status"] == "ok"
        assert health["database"] == ("postgresql" if backend == "postgres" else "sqlite")
        headers, user = register(http)

        created = http.post("/api/v1/courses/", json=COURSE, headers=headers)
        assert created.status_code == 201, created.text
        course = created.json()
        assert {k: course[k] for k in COURSE} == COURSE
        assert course["status"] == "active"

        listed = list_courses(http, headers)
        assert listed["count"] == 1
        assert listed["results"] == [course]
        assert list_courses(http, register(http)[0])["count"] == 0
        head = http.get("/health").json()["head"]

    assert server.stop() in GRACEFUL_EXIT
    server.start()
    with httpx.Client(base_url=server.base, timeout=30) as http:
        after = http.get("/health").json()
        assert after["head"] == head
        assert all(p["lag"] == 0 for p in after["projections"].values())
        assert list_courses(http, headers)["results"] == [course]
        session = log_in(http, user["email"])
        assert session["user"] == user
        headers = {"Authorization": f"Bearer {session['access']}"}

        second = http.post("/api/v1/courses/", json={"name": "Ecology"}, headers=headers)
        assert second.status_code == 201, second.text
        names = [c["name"] for c in list_courses(http, headers)["results"]]
        assert names == ["Cell Biology", "Ecology"]
