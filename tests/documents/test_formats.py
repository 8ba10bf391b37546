"""Declared content types against the bytes of the file."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from aksio.core.errors import UnsupportedMediaType
from aksio.integrations.extraction.formats import DOCX, matches, resolve_type
from tests.documents.files import docx_bytes, jpeg_bytes, pdf_bytes, png_bytes


@pytest.mark.parametrize(
    ("declared", "filename", "expected"),
    [
        ("application/pdf", "a.pdf", "application/pdf"),
        ("text/plain; charset=utf-8", "a.txt", "text/plain"),
        ("image/jpg", "a.jpg", "image/jpeg"),
        ("text/x-markdown", "a.md", "text/markdown"),
        ("application/octet-stream", "Notes.DOCX", DOCX),
        ("", "page.html", "text/html"),
    ],
)
def test_declared_types_are_normalised(declared: str, filename: str, expected: str) -> None:
    assert resolve_type(declared, filename) == expected


@pytest.mark.parametrize(
    ("declared", "filename"),
    [("application/zip", "a.zip"), ("application/octet-stream", "a.exe"), (None, None)],
)
def test_other_types_are_415(declared: str | None, filename: str | None) -> None:
    with pytest.raises(UnsupportedMediaType):
        resolve_type(declared, filename)


def test_bytes_must_match_the_type(tmp_path: Path) -> None:
    word = tmp_path / "a.docx"
    word.write_bytes(docx_bytes())
    assert matches(DOCX, docx_bytes()[:8192], word)
    assert matches("application/pdf", b"\n%PDF-1.7 ...")
    assert matches("application/pdf", pdf_bytes(1))
    assert matches("image/png", png_bytes(None)) and matches("image/jpeg", jpeg_bytes())
    assert matches("text/markdown", "# Überschrift\n".encode())
    assert not matches("image/jpeg", png_bytes(None))
    assert not matches("text/plain", pdf_bytes(1))
    assert not matches("text/html", b"binary\x00data")
    assert not matches(DOCX, pdf_bytes(1))
    other_zip = tmp_path / "b.zip"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("xl/workbook.xml", "<x/>")
    assert not matches(DOCX, other_zip.read_bytes()[:8192], other_zip)
