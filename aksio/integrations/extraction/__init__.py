"""Turning stored files into text: one extractor per format, chosen by content type."""

from __future__ import annotations

from pathlib import Path

from aksio.integrations.extraction.formats import DOCUMENT_TYPES
from aksio.integrations.extraction.limits import ExtractionLimits, check_archive
from aksio.integrations.extraction.model import (
    Extracted,
    ExtractionFailed,
    Progress,
    decode_text,
    require_text,
)

__all__ = ["Extracted", "ExtractionFailed", "ExtractionLimits", "extract"]
EMPTY = "The file is empty: there is no text to extract."


def extract(
    path: Path, content_type: str, progress: Progress, limits: ExtractionLimits | None = None
) -> Extracted:
    """The text of the file at `path`, or ExtractionFailed with a reason a person can act on.

    This runs in the calling process; the server calls it through `sandbox.extract_isolated`.
    """
    limits = limits or ExtractionLimits()
    if path.stat().st_size == 0:
        raise ExtractionFailed(EMPTY)
    kind = DOCUMENT_TYPES.get(content_type)
    if kind == "pdf":
        from aksio.integrations.extraction.pdf import extract_pdf

        extracted = extract_pdf(path, progress)
    elif kind == "docx":
        from aksio.integrations.extraction.word import extract_docx

        check_archive(path, limits)
        extracted = extract_docx(path, progress)
    elif kind == "html":
        from aksio.integrations.extraction.web import extract_html

        extracted = extract_html(path.read_bytes())
    elif kind == "image":
        from aksio.integrations.extraction.ocr import extract_image

        extracted = extract_image(path, limits.max_image_pixels)
    elif kind in ("text", "markdown"):
        from aksio.integrations.extraction.text import extract_markdown, extract_plain

        text = decode_text(path.read_bytes())
        extracted = extract_markdown(text) if kind == "markdown" else extract_plain(text)
    else:
        raise ExtractionFailed(f"Files of type {content_type} cannot be processed.")
    return require_text(extracted, EMPTY).truncated()
