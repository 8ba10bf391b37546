"""PDF text layers with pypdf: one block of text a page, sections from the outline."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

from aksio.integrations.extraction.model import (
    Extracted,
    ExtractionFailed,
    Progress,
    Section,
    TextBuilder,
)

logging.getLogger("pypdf").setLevel(logging.ERROR)
DAMAGED = "The PDF file is damaged and could not be read."
ENCRYPTED = "The PDF is password-protected. Upload a copy without a password."
NO_TEXT = (
    "The PDF has no text layer (it may be a scan of printed pages). "
    "Upload a PDF with selectable text, or images of the pages for text recognition."
)


def _open(path: Path) -> tuple[PdfReader, int]:
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractionFailed(ENCRYPTED)
        return reader, len(reader.pages)
    except ExtractionFailed:
        raise
    except (DependencyError, FileNotDecryptedError):
        raise ExtractionFailed(ENCRYPTED) from None
    except Exception:
        # pypdf raises many kinds of errors on broken files; all mean the same to a user.
        raise ExtractionFailed(DAMAGED) from None


def extract_pdf(path: Path, progress: Progress) -> Extracted:
    reader, count = _open(path)
    if count == 0:
        raise ExtractionFailed(DAMAGED)
    builder = TextBuilder()
    pages: list[tuple[int, int]] = []
    for number in range(count):
        try:
            text = reader.pages[number].extract_text() or ""
        except (PdfReadError, FileNotDecryptedError):
            raise ExtractionFailed(ENCRYPTED if reader.is_encrypted else DAMAGED) from None
        except Exception:
            raise ExtractionFailed(DAMAGED) from None
        pages.append(builder.add(text))
        progress((number + 1) / count)
    text = builder.text()
    if not text.strip():
        raise ExtractionFailed(NO_TEXT)
    sections = _outline_sections(reader, pages, len(text)) or _page_sections(pages)
    metadata = {"pages_processed": count, "title": _title(reader)}
    return Extracted(text=text, sections=sections, pages=pages, metadata=metadata)


def _page_sections(pages: list[tuple[int, int]]) -> list[Section]:
    return [
        Section(f"Page {n}", start, end, n)
        for n, (start, end) in enumerate(pages, start=1)
        if end > start
    ]


def _outline_sections(
    reader: PdfReader, pages: list[tuple[int, int]], length: int
) -> list[Section]:
    try:
        entries = sorted(
            {
                (page, title)
                for title, page in _flatten(reader, reader.outline)
                if 0 <= page < len(pages)
            }
        )
    except Exception:
        return []
    sections: list[Section] = []
    for index, (page, title) in enumerate(entries):
        start = pages[page][0]
        end = pages[entries[index + 1][0]][0] if index + 1 < len(entries) else length
        if end > start:
            sections.append(Section(title, start, end, page + 1))
    return sections


def _flatten(reader: PdfReader, outline: Any) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    for item in outline:
        if isinstance(item, list):
            found.extend(_flatten(reader, item))
        else:
            page = reader.get_destination_page_number(item)
            if page is not None:
                found.append((str(item.title).strip() or f"Page {page + 1}", page))
    return found


def _title(reader: PdfReader) -> str | None:
    try:
        info = reader.metadata
        return str(info.title) if info and info.title else None
    except Exception:
        return None
