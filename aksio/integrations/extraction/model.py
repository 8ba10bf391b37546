"""What an extractor produces: the text, and where its pages and sections lie in it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Progress = Callable[[float], None]
MAX_TEXT_CHARS = 2_000_000


class ExtractionFailed(Exception):
    """The file cannot be turned into text; the message tells the user why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Section:
    title: str
    start: int
    end: int
    page: int | None = None


@dataclass
class Extracted:
    text: str
    sections: list[Section] = field(default_factory=list)
    pages: list[tuple[int, int]] = field(default_factory=list)  # page n is pages[n - 1]
    metadata: dict[str, Any] = field(default_factory=dict)

    def page_at(self, offset: int) -> int | None:
        for number, (start, end) in enumerate(self.pages, start=1):
            if start <= offset < end or (offset == end and number == len(self.pages)):
                return number
        return None

    def section_at(self, offset: int) -> str | None:
        found = None
        for section in self.sections:
            if section.start <= offset < max(section.end, section.start + 1):
                found = section.title
        return found

    def truncated(self, limit: int = MAX_TEXT_CHARS) -> Extracted:
        """The same extraction cut to `limit` characters (spans clipped, empty ones dropped)."""
        if len(self.text) <= limit:
            return self
        sections = [
            Section(s.title, s.start, min(s.end, limit), s.page)
            for s in self.sections
            if s.start < limit
        ]
        pages = [(a, min(b, limit)) for a, b in self.pages if a < limit]
        metadata = {**self.metadata, "truncated": True, "original_characters": len(self.text)}
        return Extracted(self.text[:limit], sections, pages, metadata)


class TextBuilder:
    """Joins blocks of text with blank lines and remembers where each one went."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0

    def add(self, block: str) -> tuple[int, int]:
        block = block.strip()
        if not block:
            return self.length, self.length
        if self.parts:
            self.parts.append("\n\n")
            self.length += 2
        start = self.length
        self.parts.append(block)
        self.length += len(block)
        return start, self.length

    def text(self) -> str:
        return "".join(self.parts)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, which maps every byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def require_text(extracted: Extracted, message: str) -> Extracted:
    if not extracted.text.strip():
        raise ExtractionFailed(message)
    return extracted
