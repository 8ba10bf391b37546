"""Document summaries by the configured OpenAI-compatible model, and the extractive fallback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from aksio.api.app import create_app
from aksio.bootstrap import System, build, migrate
from aksio.core.clock import FixedClock
from aksio.integrations.extraction import extract
from aksio.integrations.extraction.analysis import analyse
from aksio.integrations.llm.openai_provider import OpenAILanguageModel
from aksio.integrations.llm.prompts import MAX_SUMMARY_INPUT_CHARS
from tests.ai.llm_server import LlmServer, Reply, llm_server
from tests.ai.material import notes_pdf
from tests.ai.support import Headers, course, upload
from tests.conftest import make_settings

SAID = "Notes on cells, energy and enzymes for a first biology course."
SUMMARY = {
    "summary": f"  {SAID}  ",
    "topics": ["cells", "enzymes", "cells", " "],
    "key_concepts": ["aerobic_respiration", "active_site"],
}
Running = tuple[System, TestClient, Headers, LlmServer]


@contextmanager
def openai_system(tmp_path: Path, *script: Reply) -> Iterator[Running]:
    """A SQLite system whose configured provider is `openai`, served on loopback."""
    with llm_server(*script) as server:
        settings = make_settings(tmp_path, llm_provider="openai", openai_base_url=server.url)
        migrate(settings)
        system = build(settings, clock=FixedClock(datetime.now(UTC)))
        assert isinstance(system.services.llm, OpenAILanguageModel)
        try:
            with TestClient(create_app(system)) as client:
                token = system.tokens.access(uuid4(), system.clock.now())
                yield system, client, {"Authorization": f"Bearer {token}"}, server
        finally:
            system.close()


def processed(running: Running, pages: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Uploads real notes, processes them, and answers their content and processing status."""
    system, client, auth, _ = running
    course_id = course(client, auth)
    document = upload(client, system, auth, course_id, pages=pages)
    base = f"/api/v1/courses/{course_id}/documents/{document}"
    content = client.get(f"{base}/content/", headers=auth)
    status = client.get(f"{base}/processing_status/", headers=auth)
    assert content.status_code == 200 and status.status_code == 200, content.text
    return content.json(), status.json()


def test_the_model_summarises_a_processed_document(tmp_path: Path) -> None:
    with openai_system(tmp_path, Reply(json.dumps(SUMMARY))) as running:
        content, status = processed(running, pages=30)
        sent = running[3].requests
    assert status["processing_status"] == "completed"
    assert content["summary"] == SAID
    assert content["topics"] == ["cells", "enzymes"]
    assert content["key_concepts"] == ["aerobic_respiration", "active_site"]
    assert len(sent) == 1
    assert sent[0]["response_format"]["json_schema"]["name"] == "document_summary"
    prompt = sent[0]["messages"][-1]["content"]
    text = content["extracted_text"]
    assert len(text) > MAX_SUMMARY_INPUT_CHARS  # only the document's start is sent
    assert prompt.endswith("\n\n" + text[:MAX_SUMMARY_INPUT_CHARS])
    assert not prompt.endswith(text[: MAX_SUMMARY_INPUT_CHARS + 1])


def assert_extractive(
    content: dict[str, Any],
    status: dict[str, Any],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Completed, with exactly what the extractive analysis makes of the same notes."""
    assert status["processing_status"] == "completed"
    assert status["processing_error"] is None
    notes = tmp_path / "notes.pdf"
    notes.write_bytes(notes_pdf(3))
    expected = analyse(extract(notes, "application/pdf", lambda done: None))
    assert content["summary"] == expected["summary"] != SAID
    assert content["topics"] == expected["topics"]
    assert content["key_concepts"] == expected["key_concepts"]
    assert any("keeping the extractive summary" in r.message for r in caplog.records)


def test_a_malformed_reply_keeps_the_extractive_summary(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    malformed = Reply(json.dumps({"summary": "   ", "topics": "cells"}))
    with openai_system(tmp_path, malformed, Reply("Sure! Here is a summary.")) as running:
        content, status = processed(running, pages=3)
        assert len(running[3].requests) == 2  # asked once more, then given up
    assert_extractive(content, status, tmp_path, caplog)


def test_a_failing_server_keeps_the_extractive_summary(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with openai_system(tmp_path, Reply(status=500)) as running:
        content, status = processed(running, pages=3)
        assert len(running[3].requests) == 3  # the client's two retries, then given up
    assert_extractive(content, status, tmp_path, caplog)
