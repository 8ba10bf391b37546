"""Extraction from real files, one format at a time, and what becomes of broken ones."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from aksio.integrations.extraction import ExtractionFailed, extract
from aksio.integrations.extraction.analysis import CHUNK_MAX, analyse
from aksio.integrations.extraction.formats import DOCX
from tests.documents.files import (
    blank_pdf_bytes,
    docx_bytes,
    encrypted_pdf_bytes,
    pdf_bytes,
    png_bytes,
)

Write = Callable[[str, bytes], Path]


@pytest.fixture
def write(tmp_path: Path) -> Write:
    def save(name: str, data: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return save


def no_progress(_done: float) -> None:
    return None


def test_pdf_keeps_page_numbers_and_outline(write: Write) -> None:
    seen: list[float] = []
    extracted = extract(write("a.pdf", pdf_bytes(4)), "application/pdf", seen.append)
    assert len(extracted.pages) == 4 and seen == [0.25, 0.5, 0.75, 1.0]
    start, end = extracted.pages[2]
    assert extracted.text[start:end].startswith("Page 3 of the biology notes.")
    assert [(s.title, s.page) for s in extracted.sections] == [
        (f"Chapter {n}", n) for n in range(1, 5)
    ]
    chunks = analyse(extracted)["chunks"]
    assert [c["page"] for c in chunks] == [1, 2, 3, 4]
    assert [c["section"] for c in chunks] == [f"Chapter {n}" for n in range(1, 5)]


def test_pdf_without_outline_has_a_section_per_page(write: Write) -> None:
    extracted = extract(write("a.pdf", pdf_bytes(2, outline=False)), "application/pdf", no_progress)
    assert [s.title for s in extracted.sections] == ["Page 1", "Page 2"]


def test_docx_headings_become_sections(write: Write) -> None:
    extracted = extract(write("a.docx", docx_bytes()), DOCX, no_progress)
    titles = [s.title for s in extracted.sections]
    assert titles == ["Introduction", "The Nucleus", "The Mitochondria"]
    nucleus = extracted.sections[1]
    assert extracted.text[nucleus.start : nucleus.end].strip().startswith("The nucleus stores")
    assert "Organelle | Function" in extracted.text
    assert extracted.metadata["title"] == "Cell Biology"


def test_markdown_headings_outside_code_become_sections(write: Write) -> None:
    text = (
        b"Intro line.\n\n# Derivatives\n\nRates.\n\n"
        b"```\n# not a heading\n```\n\n## Chain rule\n\nNest."
    )
    extracted = extract(write("a.md", text), "text/markdown", no_progress)
    assert [s.title for s in extracted.sections] == ["Introduction", "Derivatives", "Chain rule"]


def test_plain_text_in_windows_1252_is_read(write: Write) -> None:
    extracted = extract(write("a.txt", "Café au lait.".encode("cp1252")), "text/plain", no_progress)
    assert extracted.text == "Café au lait."


def test_html_main_text_without_navigation(write: Write) -> None:
    page = b"""<html><head><title>Mitosis</title><script>var x = 1;</script></head><body>
    <nav><a href="/">Home</a> | <a href="/about">About us</a></nav>
    <article><h1>Mitosis</h1><p>Mitosis is the division of a nucleus into two identical
    nuclei. It proceeds through prophase, metaphase, anaphase and telophase.</p>
    <h2>Prophase</h2><p>During prophase the chromatin condenses into visible chromosomes,
    and the spindle begins to form between the centrosomes.</p></article>
    <footer>Copyright 2024</footer></body></html>"""
    extracted = extract(write("a.html", page), "text/html", no_progress)
    assert "prophase, metaphase, anaphase and telophase" in extracted.text
    assert "var x" not in extracted.text and "About us" not in extracted.text
    assert "Prophase" in [s.title for s in extracted.sections]


def test_png_text_is_read_by_ocr(write: Write) -> None:
    extracted = extract(
        write("a.png", png_bytes("Photosynthesis makes sugar")), "image/png", no_progress
    )
    assert "photosynthesis makes sugar" in extracted.text.lower()


@pytest.mark.parametrize(
    ("name", "content_type", "data", "message"),
    [
        ("empty.txt", "text/plain", b"", "The file is empty"),
        ("blank.txt", "text/plain", b"  \n\n ", "The file is empty"),
        ("bad.pdf", "application/pdf", b"%PDF-1.7\n" + b"\x00garbage" * 50, "damaged"),
        ("cut.pdf", "application/pdf", pdf_bytes(2)[:400], "damaged"),
        ("locked.pdf", "application/pdf", encrypted_pdf_bytes(), "password-protected"),
        ("scan.pdf", "application/pdf", blank_pdf_bytes(), "no text layer"),
        ("bad.docx", DOCX, b"PK\x03\x04" + b"\x00" * 200, "damaged or is not a Word document"),
        ("blank.png", "image/png", png_bytes(None), "No text was found in the image"),
        ("bad.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "image file is damaged"),
        (
            "bodyless.html",
            "text/html",
            b"<html><head><title>x</title></head></html>",
            "no readable text",
        ),
    ],
)
def test_broken_files_fail_with_a_reason(
    write: Write, name: str, content_type: str, data: bytes, message: str
) -> None:
    with pytest.raises(ExtractionFailed) as failure:
        extract(write(name, data), content_type, no_progress)
    assert message in failure.value.message


def test_chunks_are_bounded_and_cover_the_text(write: Write) -> None:
    sentence = "Enzymes lower the activation energy of reactions in living cells. "
    long_word = "x" * 3000
    text = (sentence * 120 + "\n\n" + long_word + "\n\n" + sentence * 5).encode()
    extracted = extract(write("a.txt", text), "text/plain", no_progress)
    chunks = analyse(extracted)["chunks"]
    assert all(0 < c["end"] - c["start"] <= CHUNK_MAX for c in chunks)
    assert [c["index"] for c in chunks] == list(range(len(chunks)))
    covered = "".join(extracted.text[c["start"] : c["end"]] for c in chunks)
    assert covered.count("Enzymes") == 125 and covered.count("x") == 3000


def test_analysis_is_deterministic(write: Write) -> None:
    path = write("a.pdf", pdf_bytes(5))
    first = analyse(extract(path, "application/pdf", no_progress))
    second = analyse(extract(path, "application/pdf", no_progress))
    assert first == second
    assert first["summary"].count("Photosynthesis converts light energy") == 1
    assert "light_energy" in " ".join(first["key_concepts"])
