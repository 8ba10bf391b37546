"""Hostile uploads (zip bombs, pathological PDFs, huge images) fail with a reason, and the
server's own memory stays flat because extraction runs in a bounded child process."""

from __future__ import annotations

import resource
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from aksio.bootstrap import System
from aksio.integrations.extraction import ExtractionLimits
from aksio.integrations.extraction.formats import DOCX
from aksio.settings import Settings
from tests.conftest import make_settings
from tests.documents.conftest import Upload, processing_reactor
from tests.documents.files import (
    cyclic_pdf_bytes,
    docx_bomb_bytes,
    huge_png_bytes,
    many_pages_pdf_bytes,
)

Status = Callable[[str], dict[str, Any]]
PDF = "application/pdf"
# Far below what any of these files costs when parsed in-process (300 MB of XML and more).
SERVER_GROWTH_MB = 64


@pytest.fixture(params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    """Extraction does not depend on the database."""
    return str(request.param)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(
        tmp_path, allow_private_urls=True, extraction_memory_mb=1536, extraction_timeout_s=60
    )


def peak_rss_mb() -> float:
    """The most memory this (server) process has held so far; Linux reports KiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fails_without_growing(
    upload: Upload, processed: Status, name: str, data: bytes, kind: str
) -> str:
    document = upload(name, data, kind)["document"]
    before = peak_rss_mb()
    status = processed(document["id"])
    assert peak_rss_mb() - before < SERVER_GROWTH_MB
    assert status["processing_status"] == "failed"
    assert status["extracted_content_available"] is False
    error: str = status["processing_error"]
    return error


@pytest.mark.parametrize(
    ("name", "kind", "make", "message"),
    [
        (
            "bomb.docx",
            DOCX,
            lambda: docx_bomb_bytes(300),
            "The file expands to more than 200 MB when unpacked",
        ),
        ("cyclic.pdf", PDF, cyclic_pdf_bytes, "page tree refers back to itself"),
        ("million.pdf", PDF, lambda: many_pages_pdf_bytes(100, 10_000), "more than 5,000 pages"),
        (
            "hidden.pdf",
            PDF,
            lambda: many_pages_pdf_bytes(10, 2_000, count=1),
            "more than 5,000 pages",
        ),
        (
            "poster.png",
            "image/png",
            lambda: huge_png_bytes(30_000, 30_000),
            "The image is 30,000 x 30,000 pixels (900 megapixels)",
        ),
    ],
)
def test_hostile_files_end_failed_with_a_reason(
    upload: Upload,
    processed: Status,
    name: str,
    kind: str,
    make: Callable[[], bytes],
    message: str,
) -> None:
    error = fails_without_growing(upload, processed, name, make(), kind)
    assert message in error
    assert "upload" in error.lower()  # each reason says what to do next
    good = upload("ok.txt", b"Still serving after a hostile file.", "text/plain")["document"]
    assert processed(good["id"])["processing_status"] == "completed"


def test_the_child_memory_limit_stops_a_bomb_the_checks_let_through(
    system: System, upload: Upload, processed: Status
) -> None:
    # With the zip checks out of the way python-docx really inflates 300 MB of XML: only
    # the child's address-space limit stands between the bomb and the server.
    processing_reactor(system).limits = ExtractionLimits(
        memory_mb=256, max_unpacked_mb=100_000, max_ratio=1e9
    )
    error = fails_without_growing(upload, processed, "bomb.docx", docx_bomb_bytes(300), DOCX)
    assert error.startswith("Processing the file needed more than 256 MB of memory")


def test_extraction_past_the_deadline_is_stopped(
    system: System, upload: Upload, processed: Status
) -> None:
    # 5,000 pages take seconds to read; the deadline is a small fraction of that.
    processing_reactor(system).limits = ExtractionLimits(timeout_s=0.2)
    pages = many_pages_pdf_bytes(5, 1_000)
    error = fails_without_growing(upload, processed, "long.pdf", pages, PDF)
    assert error.startswith("Processing the file took longer than 0.2 seconds")


def test_the_limits_come_from_the_settings(system: System, settings: Settings) -> None:
    limits = processing_reactor(system).limits
    assert (limits.memory_mb, limits.timeout_s) == (1536, 60)
    assert limits == ExtractionLimits.from_settings(settings)
