"""DOCX with python-docx: paragraphs and tables in body order, headings as sections."""

from __future__ import annotations

from pathlib import Path

import docx
from docx.document import Document as WordDocument
from docx.table import Table
from docx.text.paragraph import Paragraph

from aksio.integrations.extraction.model import (
    Extracted,
    ExtractionFailed,
    Progress,
    Section,
    TextBuilder,
)

DAMAGED = "The DOCX file is damaged or is not a Word document."
EMPTY = "The Word document contains no text."


def _open(path: Path) -> WordDocument:
    try:
        return docx.Document(str(path))
    except Exception:
        # python-docx raises zip, XML and package errors alike for broken files.
        raise ExtractionFailed(DAMAGED) from None


def _blocks(document: WordDocument) -> list[tuple[str, bool]]:
    """(text, is_heading) of each paragraph and table of the body, in order."""
    blocks: list[tuple[str, bool]] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(child, document)
            style = paragraph.style.name if paragraph.style is not None else ""
            heading = bool(style) and (style.startswith("Heading") or style == "Title")
            blocks.append((paragraph.text, heading))
        elif tag == "tbl":
            table = Table(child, document)
            rows = [" | ".join(cell.text.strip() for cell in row.cells) for row in table.rows]
            blocks.append(("\n".join(rows), False))
    return blocks


def extract_docx(path: Path, progress: Progress) -> Extracted:
    document = _open(path)
    try:
        blocks = _blocks(document)
    except Exception:
        raise ExtractionFailed(DAMAGED) from None
    builder = TextBuilder()
    headings: list[tuple[str, int, int]] = []  # title, heading start, content start
    for index, (text, heading) in enumerate(blocks):
        start, end = builder.add(text)
        if heading and text.strip():
            headings.append((text.strip(), start, end))
        progress((index + 1) / max(len(blocks), 1))
    text = builder.text()
    if not text.strip():
        raise ExtractionFailed(EMPTY)
    sections: list[Section] = []
    if headings and text[: headings[0][1]].strip():
        sections.append(Section("Introduction", 0, headings[0][1]))
    for index, (title, _heading, start) in enumerate(headings):
        end = headings[index + 1][1] if index + 1 < len(headings) else len(text)
        sections.append(Section(title, start, end))
    doc_title: str | None = document.core_properties.title or None
    return Extracted(text=text, sections=sections, metadata={"title": doc_title})
