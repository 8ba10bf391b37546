"""The built-in fetcher and the scraper service against real servers on loopback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aksio.integrations.blobs import FileBlobStore
from aksio.integrations.fetcher import FetchFailed, UrlFetcher, fetch_url_for, url_type
from tests.documents.conftest import Site
from tests.documents.files import pdf_bytes


@pytest.fixture
def blobs(tmp_path: Path) -> FileBlobStore:
    return FileBlobStore(tmp_path / "blobs")


def test_pdf_and_page_types_come_from_the_bytes(site: Site, blobs: FileBlobStore) -> None:
    fetcher = UrlFetcher(allow_private=True)
    data = pdf_bytes(1)
    url = site.add("/paper", data, headers={"Content-Type": "application/octet-stream"})
    pdf = fetcher.fetch(url, blobs)
    assert pdf.content_type == "application/pdf" and pdf.size == len(data)
    with blobs.open(pdf.blob_key) as stored:
        assert stored.read() == data
    page = fetcher.fetch(site.add("/p", b"<!DOCTYPE html><html><body>Hi</body></html>"), blobs)
    assert page.content_type == "text/html"


@pytest.mark.parametrize(
    ("route", "message"),
    [
        ({"status": 404}, "The URL answered 404 Not Found."),
        ({"status": 500}, "The URL answered 500 Internal Server Error."),
        ({"headers": {"Content-Length": str(10 * 1024**3)}}, "larger than 50 MB"),
        ({"delay": 2.0}, "did not answer in time"),
        (
            {"headers": {"Content-Type": "application/zip"}, "body": b"PK\x03\x04zip"},
            "cannot be processed",
        ),
        ({"body": b""}, "empty document"),
    ],
)
def test_fetch_failures_say_why(
    site: Site, blobs: FileBlobStore, route: dict[str, object], message: str
) -> None:
    route = dict(route)
    body = route.pop("body", b"<html><body>text</body></html>")
    url = site.add("/doc", body, **route)  # type: ignore[arg-type]
    with pytest.raises(FetchFailed) as failed:
        UrlFetcher(allow_private=True, timeout=0.5).fetch(url, blobs)
    assert message in failed.value.message
    assert not list((blobs.root / "staging").glob("*"))


def test_a_body_past_the_cap_without_length_is_cut_off(site: Site, blobs: FileBlobStore) -> None:
    url = site.add("/big", b"a" * 300_000, headers={"Content-Length": ""})
    with pytest.raises(FetchFailed, match="larger than"):
        UrlFetcher(allow_private=True, max_bytes=100_000).fetch(url, blobs)


def test_unreachable_host_fails(blobs: FileBlobStore) -> None:
    with pytest.raises(FetchFailed, match="could not be reached"):
        UrlFetcher(allow_private=True).fetch("http://127.0.0.1:9/", blobs)


def test_google_docs_and_url_types() -> None:
    doc = "https://docs.google.com/document/d/1AbC-d_9/edit?usp=sharing"
    assert fetch_url_for(doc) == "https://docs.google.com/document/d/1AbC-d_9/export?format=txt"
    assert fetch_url_for("https://arxiv.org/abs/2401.00001") == "https://arxiv.org/pdf/2401.00001"
    assert url_type(doc) == "google_docs"
    assert url_type("https://www.youtube.com/watch?v=x") == "youtube_video"
    assert url_type("https://arxiv.org/abs/2401.00001") == "academic_paper"
    assert url_type("https://example.org/notes.PDF") == "pdf_url"
    assert url_type("https://example.org/notes") == "web_page"


def test_scraper_service_fetches_instead(site: Site, blobs: FileBlobStore) -> None:
    answer = {
        "url": "https://example.org/a",
        "text": "# Title\n\nScraped text.",
        "format": "markdown",
    }
    site.add(
        "/api/scrape", json.dumps(answer).encode(), headers={"Content-Type": "application/json"}
    )
    fetcher = UrlFetcher(scraper_url=f"http://127.0.0.1:{site.port}/")
    fetched = fetcher.fetch("https://example.org/a", blobs)
    assert fetched.content_type == "text/markdown"
    with blobs.open(fetched.blob_key) as stored:
        assert stored.read() == b"# Title\n\nScraped text."


def test_scraper_service_down_fails_clearly(blobs: FileBlobStore) -> None:
    fetcher = UrlFetcher(scraper_url="http://127.0.0.1:9")
    with pytest.raises(FetchFailed, match="scraper service is unavailable"):
        fetcher.fetch("https://example.org/a", blobs)
