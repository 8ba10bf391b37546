"""Processing by the reactor, from real files and real pages on loopback, good and bad."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from aksio.bootstrap import System
from aksio.integrations.extraction.formats import DOCX
from aksio.integrations.fetcher import UrlFetcher
from tests.conftest import assert_envelope
from tests.documents.conftest import Headers, Site, Upload, processing_reactor
from tests.documents.files import (
    blank_pdf_bytes,
    docx_bytes,
    encrypted_pdf_bytes,
    pdf_bytes,
    png_bytes,
)

Status = Callable[[str], dict[str, Any]]


@pytest.fixture(params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    """Processing does not depend on the database; the other modules run on both."""
    return str(request.param)


ARTICLE = b"""<!DOCTYPE html><html><head><title>Osmosis</title></head><body>
<nav><a href="/">Home</a></nav><main><h1>Osmosis</h1>
<p>Osmosis is the movement of water across a semipermeable membrane, from a region of low
solute concentration to a region of high solute concentration.</p>
<h2>Tonicity</h2><p>A hypertonic solution draws water out of a cell, and a hypotonic
solution lets water flow into it.</p></main></body></html>"""


def topics(system: System, document_id: str) -> list[str]:
    return [
        n.topic.rsplit(".", 1)[-1]
        for n in system.store.read(after=0, limit=100_000)
        if n.originator_id.hex == document_id.replace("-", "")
    ]


def content(client: TestClient, auth: Headers, course: str, document_id: str) -> dict[str, Any]:
    url = f"/api/v1/courses/{course}/documents/{document_id}/content/"
    response = client.get(url, headers=auth)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def import_url(client: TestClient, auth: Headers, course: str, url: str) -> dict[str, Any]:
    response = client.post(
        f"/api/v1/courses/{course}/documents/upload_url/", json={"url": url}, headers=auth
    )
    assert response.status_code == 201, response.text
    document: dict[str, Any] = response.json()["document"]
    return document


def test_docx_and_png_are_processed(
    client: TestClient, auth: Headers, course: str, upload: Upload, processed: Status
) -> None:
    word = upload("cells.docx", docx_bytes(), DOCX)["document"]
    image = upload("board.png", png_bytes("Mitochondria make ATP"), "image/png")["document"]
    assert processed(word["id"])["processing_status"] == "completed"
    sections = content(client, auth, course, word["id"])["sections"]
    assert [s["title"] for s in sections] == ["Introduction", "The Nucleus", "The Mitochondria"]
    assert sections[1]["content"].startswith("The nucleus stores genetic material")
    assert processed(image["id"])["processing_status"] == "completed"
    assert (
        "mitochondria make atp"
        in content(client, auth, course, image["id"])["extracted_text"].lower()
    )


def test_progress_is_reported_as_events(
    system: System, course: str, upload: Upload, processed: Status
) -> None:
    document = upload("notes.pdf", pdf_bytes(12), "application/pdf")["document"]
    processed(document["id"])
    kinds = topics(system, document["id"])
    assert kinds[:4] == ["created", "uploaded", "processing_requested", "processing_started"]
    assert kinds.count("processing_progressed") >= 3 and kinds[-1] == "processing_completed"


def test_a_web_page_is_imported_from_its_url(
    client: TestClient, auth: Headers, course: str, site: Site, processed: Status
) -> None:
    document = import_url(client, auth, course, site.add("/osmosis", ARTICLE))
    assert document["source_type"] == "url" and document["url_type"] == "web_page"
    assert document["document_type"] == "url" and document["name"].endswith("/osmosis")
    assert processed(document["id"])["processing_status"] == "completed"
    shown = client.get(f"/api/v1/courses/{course}/documents/{document['id']}/", headers=auth).json()
    assert shown["document_type"] == "html" and shown["file_size_bytes"] == len(ARTICLE)
    body = content(client, auth, course, document["id"])
    assert (
        "semipermeable membrane" in body["extracted_text"] and "Home" not in body["extracted_text"]
    )
    assert "Tonicity" in [s["title"] for s in body["sections"]]


def test_a_pdf_url_is_processed_like_an_upload(
    client: TestClient, auth: Headers, course: str, site: Site, processed: Status
) -> None:
    document = import_url(client, auth, course, site.add("/paper.pdf", pdf_bytes(2)))
    assert document["url_type"] == "pdf_url"
    status = processed(document["id"])
    assert status["processing_status"] == "completed"
    assert status["processing_metadata"]["pages_processed"] == 2


@pytest.mark.parametrize(
    ("name", "content_type", "make", "message"),
    [
        ("bad.pdf", "application/pdf", lambda: b"%PDF-1.4\n" + b"\x00junk" * 99, "damaged"),
        ("locked.pdf", "application/pdf", encrypted_pdf_bytes, "password-protected"),
        ("scan.pdf", "application/pdf", blank_pdf_bytes, "no text layer"),
        ("bad.docx", DOCX, lambda: b"PK\x03\x04" + b"\x00" * 64, "not a Word document"),
        ("blank.png", "image/png", lambda: png_bytes(None), "No text was found in the image"),
        ("empty.html", "text/html", lambda: b"<html><head></head></html>", "no readable text"),
    ],
)
def test_bad_files_end_failed_with_a_reason(
    client: TestClient,
    auth: Headers,
    course: str,
    upload: Upload,
    processed: Status,
    name: str,
    content_type: str,
    make: Callable[[], bytes],
    message: str,
) -> None:
    document = upload(name, make(), content_type)["document"]
    status = processed(document["id"])
    assert status["processing_status"] == "failed" and message in status["processing_error"]
    assert status["extracted_content_available"] is False
    url = f"/api/v1/courses/{course}/documents/{document['id']}/content/"
    assert_envelope(client.get(url, headers=auth), 409, "INVALID_STATE")
    good = upload("ok.txt", b"Still serving after a failure.", "text/plain")["document"]
    assert processed(good["id"])["processing_status"] == "completed"


@pytest.mark.parametrize(
    ("route", "message"),
    [
        ({"status": 404}, "The URL answered 404 Not Found."),
        ({"delay": 2.0}, "did not answer in time"),
        ({"headers": {"Content-Length": str(10 * 1024**3)}}, "larger than 50 MB"),
        ({"body": b"<html><body></body></html>"}, "no readable text"),
    ],
)
def test_bad_urls_end_failed_with_a_reason(
    client: TestClient,
    auth: Headers,
    course: str,
    site: Site,
    system: System,
    processed: Status,
    route: dict[str, Any],
    message: str,
) -> None:
    processing_reactor(system).fetcher.timeout = 0.5
    route = dict(route)
    url = site.add("/page", route.pop("body", ARTICLE), **route)
    status = processed(import_url(client, auth, course, url)["id"])
    assert status["processing_status"] == "failed" and message in status["processing_error"]


def test_private_urls_are_422_unless_allowed(
    client: TestClient, auth: Headers, course: str, system: System
) -> None:
    fetcher = system.services.fetcher
    assert isinstance(fetcher, UrlFetcher)
    fetcher.allow_private = False
    for url in (
        "http://127.0.0.1:8000/",
        "http://[::1]/",
        "http://2130706433/",
        "file:///etc/passwd",
    ):
        response = client.post(
            f"/api/v1/courses/{course}/documents/upload_url/", json={"url": url}, headers=auth
        )
        assert "url" in assert_envelope(response, 422, "VALIDATION_ERROR")["details"]
    listed = client.get(f"/api/v1/courses/{course}/documents/", headers=auth).json()
    assert listed["count"] == 0


def test_reacting_twice_to_the_same_event_changes_nothing(
    system: System, course: str, upload: Upload, processed: Status
) -> None:
    document = upload("a.txt", b"Diffusion moves particles down a gradient.", "text/plain")
    processed(document["document"]["id"])
    head = system.store.head()
    for runner in system.reactors:
        runner.position = 0  # as if the tracked position had been lost
    system.drain()
    assert system.store.head() == head
