"""Anki field HTML as plain text, and cloze notes as one question and answer per cloze.

Anki stores fields as HTML with `[sound:...]` tags for media; cards here are plain text, so
markup is dropped, block elements become line breaks and entities are decoded. A cloze
`{{c2::answer::hint}}` is hidden as `[hint]` (or `[...]`) on card 2 and shown as its answer
everywhere else, as Anki renders it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

MAX_TEXT = 10_000  # what the API accepts for a card's question or answer
_SOUND = re.compile(r"\[sound:[^\]]*\]")
_BLOCKS = frozenset(
    {"br", "div", "p", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6"}
)
_HIDDEN = frozenset({"script", "style"})


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def plain_text(html: str) -> str:
    """The text a reader sees: tags and media dropped, one space between words, at most
    MAX_TEXT characters."""
    parser = _Text()
    parser.feed(_SOUND.sub(" ", html))
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)[:MAX_TEXT]


@dataclass(frozen=True)
class Cloze:
    number: int
    answer: str
    hint: str | None


def cloze_parts(text: str) -> list[str | Cloze]:
    """The text split into plain runs and clozes, in one pass.

    A hand-written scanner rather than a regular expression: with many `{{c1::` openings and no
    closing braces a lazy pattern rescans to the end from each opening (quadratic time).
    """
    parts: list[str | Cloze] = []
    at = 0
    while (start := text.find("{{c", at)) != -1:
        digits_end = start + 3
        while digits_end < len(text) and text[digits_end].isdigit():
            digits_end += 1
        if not 0 < digits_end - (start + 3) <= 6 or not text.startswith("::", digits_end):
            parts.append(text[at : start + 3])
            at = start + 3
            continue
        end = text.find("}}", digits_end)
        if end == -1:  # nothing closes after here, so no later opening can either
            break
        answer, _, hint = text[digits_end + 2 : end].partition("::")
        parts.append(text[at:start])
        parts.append(Cloze(int(text[start + 3 : digits_end]), answer, hint or None))
        at = end + 2
    parts.append(text[at:])
    return parts


def cloze_numbers(text: str) -> list[int]:
    return sorted({part.number for part in cloze_parts(text) if isinstance(part, Cloze)})


def cloze_card(text: str, extra: str, number: int) -> tuple[str, str]:
    """Question and answer of cloze `number`: hidden on the front, revealed on the back, with
    the note's extra field below the answer."""
    parts = cloze_parts(text)
    front = "".join(
        part
        if isinstance(part, str)
        else (f"[{part.hint or '...'}]" if part.number == number else part.answer)
        for part in parts
    )
    back = "".join(part if isinstance(part, str) else part.answer for part in parts)
    answer = plain_text(back)
    more = plain_text(extra)
    return plain_text(front), (f"{answer}\n{more}" if more else answer)[:MAX_TEXT]
