"""PDF text layers with pypdf: one block of text a page, sections from the outline."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError, PdfReadError

from aksio.integrations.extraction.model import (
    Extracted,
    ExtractionFailed,
    Progress,
    Section,
    TextBuilder,
)

logging.getLogger("pypdf").setLevel(logging.ERROR)
DAMAGED = "The PDF file is damaged and could not be read."
MAX_PAGES = 5_000
TOO_MANY_PAGES = (
    f"The PDF has more than {MAX_PAGES:,} pages (or more objects than a PDF of that size), the "
    "most this server processes in one file. Split it into smaller PDFs and upload those."
)
CYCLIC = (
    "The PDF's page tree refers back to itself, so its pages cannot be listed: the file is "
    "malformed. Print or export it to a new PDF and upload that."
)
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
        if _declared_pages(reader) > MAX_PAGES:
            raise ExtractionFailed(TOO_MANY_PAGES)
        count = len(reader.pages)  # walks the whole page tree, which may lie about its size
        if count > MAX_PAGES:
            raise ExtractionFailed(TOO_MANY_PAGES)
        return reader, count
    except ExtractionFailed:
        raise
    except (DependencyError, FileNotDecryptedError):
        raise ExtractionFailed(ENCRYPTED) from None
    except LimitReachedError:
        raise ExtractionFailed(TOO_MANY_PAGES) from None
    except PdfReadError as error:
        raise ExtractionFailed(CYCLIC if "cyclic" in str(error).lower() else DAMAGED) from None
    except Exception:
        # pypdf raises many kinds of errors on broken files; all mean the same to a user.
        raise ExtractionFailed(DAMAGED) from None


def _declared_pages(reader: PdfReader) -> int:
    """The page count the root of the page tree claims, read without walking the tree."""
    try:
        pages: Any = reader.root_object["/Pages"].get_object()
        return int(pages["/Count"])
    except Exception:
        return 0  # walking the tree tells what is wrong with it


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
