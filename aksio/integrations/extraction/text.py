"""Plain text and Markdown: the text as written; Markdown headings become sections."""

from __future__ import annotations

import re

from aksio.integrations.extraction.model import Extracted, Section

HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$")
FENCE = re.compile(r"^ {0,3}(```|~~~)")


def extract_plain(text: str) -> Extracted:
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return Extracted(text=text)


def extract_markdown(text: str) -> Extracted:
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return Extracted(text=text, sections=markdown_sections(text))


def markdown_sections(text: str) -> list[Section]:
    """Sections between ATX headings (`#`..`######`), ignoring fenced code blocks."""
    found: list[tuple[str, int, int]] = []  # title, heading start, content start
    offset = 0
    fenced = False
    for line in text.splitlines(keepends=True):
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced and (match := HEADING.match(line.rstrip("\n"))):
            found.append((match.group(2).strip(), offset, offset + len(line)))
        offset += len(line)
    sections: list[Section] = []
    if found and text[: found[0][1]].strip():
        sections.append(Section("Introduction", 0, found[0][1]))
    for index, (title, _heading, start) in enumerate(found):
        end = found[index + 1][1] if index + 1 < len(found) else len(text)
        sections.append(Section(title, start, end))
    return sections
