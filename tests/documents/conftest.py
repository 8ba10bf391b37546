"""Fixtures of the documents suite: private URLs allowed (the test sites are on loopback)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from aksio.bootstrap import System
from aksio.reactors.document_processing import DocumentProcessingReactor
from aksio.settings import Settings
from tests.conftest import make_settings

Headers = dict[str, str]


@pytest.fixture
def settings(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    url = request.getfixturevalue("pg_url") if backend == "postgres" else None
    return make_settings(tmp_path, url, allow_private_urls=True)


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class Site:
    """A small HTTP server on loopback whose answers the test sets per path."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.seen_hosts: list[str] = []
        self.posted: list[bytes] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.seen_hosts.append(self.headers.get("Host", ""))
                route = site.routes.get(self.path.split("?", 1)[0], Route(b"missing", 404))
                time.sleep(route.delay)
                self.send_response(route.status)
                headers = {"Content-Length": str(len(route.body)), **route.headers}
                for name, value in headers.items():
                    if value:  # an empty value leaves the header out
                        self.send_header(name, value)
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(route.body)

            def do_POST(self) -> None:
                site.posted.append(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                self.do_GET()

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False  # type: ignore[attr-defined]
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def add(self, path: str, body: bytes = b"", **options: Any) -> str:
        self.routes[path] = Route(body, **options)
        return self.url(path)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site() -> Iterator[Site]:
    served = Site()
    yield served
    served.close()


def processing_reactor(system: System) -> DocumentProcessingReactor:
    for runner in system.reactors:
        if isinstance(runner.reactor, DocumentProcessingReactor):
            return runner.reactor
    raise LookupError("no document processing reactor")


@pytest.fixture
def paused(system: System) -> System:
    """The system with its reactor threads stopped: processing runs only in `system.drain()`."""
    for runner in system.reactors:
        runner.stop()
    return system


@pytest.fixture
def course(client: TestClient, auth: Headers, paused: System) -> str:
    response = client.post("/api/v1/courses/", json={"name": "Biology"}, headers=auth)
    assert response.status_code == 201, response.text
    course_id: str = response.json()["id"]
    return course_id


Upload = Callable[..., dict[str, Any]]


@pytest.fixture
def upload(client: TestClient, auth: Headers, course: str) -> Upload:
    """Uploads a file to the course and answers the 201 body."""

    def send(filename: str, data: bytes, content_type: str, **form: str) -> dict[str, Any]:
        response = client.post(
            f"/api/v1/courses/{course}/documents/upload/",
            files={"file": (filename, data, content_type)},
            data=form,
            headers=auth,
        )
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    return send


@pytest.fixture
def processed(
    client: TestClient, auth: Headers, course: str, system: System
) -> Callable[[str], dict[str, Any]]:
    """Drains the reactor, then answers the document's processing status."""

    def status(document_id: str | UUID) -> dict[str, Any]:
        system.drain()
        url = f"/api/v1/courses/{course}/documents/{document_id}/processing_status/"
        response = client.get(url, headers=auth)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    return status
