"""With `AKSIO_RETRIEVER_SERVICE_URL` set: documents go to the service, context comes from it."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from aksio.api.app import create_app
from aksio.bootstrap import System, build, migrate
from aksio.commands.courses import CreateCourse
from aksio.commands.documents import UploadDocument
from aksio.integrations.retrieval import RemoteRetriever
from aksio.projections.documents.projection import get_document
from aksio.settings import Settings

STRANGER = "00000000-0000-4000-8000-0000000000ff"


class RetrieverService:
    """A small retrieval service: keeps the chunks it is given, ranks them by shared words."""

    def __init__(self) -> None:
        self.documents: dict[str, dict[str, Any]] = {}
        self.requests: list[dict[str, Any]] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def _json(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if self.path == "/api/documents/":
                    service.documents[body["document_id"]] = body
                    self._json(201, {"status": "indexed"})
                elif self.path == "/api/context/retrieve":
                    service.requests.append(body)
                    self._json(200, {"chunks": service.retrieve(body)})
                else:
                    self._json(404, {})

            def do_DELETE(self) -> None:
                service.documents.pop(self.path.strip("/").rsplit("/", 1)[-1], None)
                self._json(200, {})

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def retrieve(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        words = set(body["query"].lower().split())
        found = [{"document_id": STRANGER, "text": "a passage of someone else", "score": 0.99}]
        for document_id in body["document_ids"]:
            for chunk in self.documents.get(document_id, {}).get("chunks", []):
                shared = words & set(chunk["content"].lower().replace(".", "").split())
                if shared:
                    found.append(
                        {**chunk, "document_id": document_id, "score": len(shared) / len(words)}
                    )
        return found


@pytest.fixture
def service() -> Iterator[RetrieverService]:
    running = RetrieverService()
    yield running
    running.server.shutdown()
    running.server.server_close()


@pytest.fixture
def remote(settings: Settings, service: RetrieverService) -> Iterator[System]:
    configured = settings.model_copy(update={"retriever_service_url": service.url})
    migrate(configured)
    system = build(configured, start_threads=False)
    yield system
    system.close()


def test_documents_are_handed_over_and_context_comes_back(
    remote: System, service: RetrieverService
) -> None:
    owner = remote.tokens.access(UUID(int=5), remote.clock.now())
    headers = {"Authorization": f"Bearer {owner}"}
    with TestClient(create_app(remote)) as client:
        remote.runner.start()
        course = client.post("/api/v1/courses/", json={"name": "Bio"}, headers=headers).json()["id"]
        base = f"/api/v1/courses/{course}/documents"
        text = b"Osmosis moves water across a membrane. Diffusion spreads particles out."
        upload = client.post(
            f"{base}/upload/", files={"file": ("o.txt", text, "text/plain")}, headers=headers
        )
        document = upload.json()["document"]["id"]
        remote.drain()
        status = client.get(f"{base}/{document}/processing_status/", headers=headers).json()
        assert status["processing_status"] == "completed"
        handed = service.documents[document]
        assert handed["owner_id"] == str(UUID(int=5)) and handed["text"] == text.decode()
        assert handed["chunks"][0]["content"].startswith("Osmosis moves water")

        found = client.get(f"{base}/search/?q=osmosis water&max_chunks=5", headers=headers).json()
        assert [p["document_id"] for p in found] == [document]  # the stranger's passage is dropped
        assert found[0]["score"] == 1.0 and found[0]["document_name"] == "o"
        asked = service.requests[-1]
        assert asked == {
            "document_ids": [document],
            "query": "osmosis water",
            "max_chunks": 5,
            "similarity_threshold": 0.0,
        }
        client.delete(f"{base}/{document}/", headers=headers)
        remote.drain()
        assert document not in service.documents


def test_a_service_that_is_down_fails_processing_clearly(settings: Settings) -> None:
    down = settings.model_copy(update={"retriever_service_url": "http://127.0.0.1:9"})
    migrate(down)
    system = build(down, start_threads=False)
    try:
        owner = UUID(int=6)
        course = system.bus.dispatch(CreateCourse(owner_id=owner, fields={"name": "B"})).value
        blobs = system.services.blobs
        assert blobs is not None
        staged = blobs.stage(iter([b"Some notes."]), 100)
        document = system.bus.dispatch(
            UploadDocument(
                owner_id=owner,
                course_id=course,
                name="n",
                filename="n.txt",
                blob_key=blobs.commit(staged),
                content_type="text/plain",
                document_type="text",
                file_size_bytes=staged.size,
            )
        ).value.document_id
        system.drain()
        with system.engine.connect() as conn:
            row = get_document(conn, owner, document)
            assert row is not None and row["processing_status"] == "failed"
            assert row["processing_error"] == (
                "The retrieval service is unavailable. Try reprocessing the document later."
            )
        # Nothing of the owner is processed, so the service is not even asked.
        assert RemoteRetriever("http://127.0.0.1:9", system.engine).retrieve(owner, "x") == []
    finally:
        system.close()
