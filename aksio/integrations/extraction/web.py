"""HTML pages: the main text by trafilatura (as Markdown, so headings become sections)."""

from __future__ import annotations

import logging
from html.parser import HTMLParser

import trafilatura

from aksio.integrations.extraction.model import Extracted, ExtractionFailed, decode_text
from aksio.integrations.extraction.text import markdown_sections

logging.getLogger("trafilatura").setLevel(logging.ERROR)
NO_TEXT = "The web page has no readable text."
HIDDEN = frozenset({"script", "style", "noscript", "template", "head", "svg"})


class _VisibleText(HTMLParser):
    """The text a browser would show, for pages trafilatura finds no main content in."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hidden = 0
        self.lines: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HIDDEN:
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden and data.strip():
            self.lines.append(" ".join(data.split()))


def _fallback_text(data: bytes) -> str:
    parser = _VisibleText()
    parser.feed(decode_text(data))
    parser.close()
    return "\n".join(parser.lines)


def extract_html(data: bytes) -> Extracted:
    if not data.strip():
        raise ExtractionFailed(NO_TEXT)
    text = trafilatura.extract(
        data,
        output_format="markdown",
        include_comments=False,
        include_tables=True,
        favor_recall=True,
    )
    sections = []
    if text and text.strip():
        text = text.strip()
        sections = markdown_sections(text)
    else:
        text = _fallback_text(data)
    if not text.strip():
        raise ExtractionFailed(NO_TEXT)
    metadata = trafilatura.extract_metadata(data)
    title = metadata.title if metadata is not None else None
    return Extracted(text=text, sections=sections, metadata={"title": title})
