"""Deterministic, extractive analysis of extracted text: summary, topics, concepts, chunks."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from typing import Any

from aksio.integrations.extraction.model import Extracted

CHUNK_TARGET = 900
CHUNK_MAX = 1200
SUMMARY_SENTENCES = 3
SUMMARY_MAX_CHARS = 800
STOPWORDS = frozenset(
    """a about above after again against all also although am an and any are as at be because
    been before being below between both but by can could did do does doing down during each
    either else etc even ever every few for from further had has have having he her here
    hers herself him himself his how however i if in into is it its itself just may me might
    more most much must my myself no nor not now of off often on once one only or other our
    ours ourselves out over own same shall she should since so some such than that the their
    theirs them themselves then there these they this those through thus to too two under
    until up upon us use used using very via was we were what when where whether which while
    who whom whose why will with within without would yet you your yours yourself yourselves
    also many well first second new like make made makes get gets given give gives see seen
    called based page chapter section part introduction figure table contents
    """.split()  # noqa: SIM905
)
WORD = re.compile(r"[A-Za-z][A-Za-z-]*[A-Za-z]")
SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])|\n\s*\n")
PIECE_BREAK = re.compile(r"(?<=[.!?])\s+|\n\s*\n")


def _content_words(text: str) -> list[str]:
    return [w for w in (m.lower() for m in WORD.findall(text)) if len(w) > 3 and w not in STOPWORDS]


def _singular(counts: Counter[str]) -> Counter[str]:
    """Counts plurals with their singular when both occur ("derivatives" -> "derivative")."""
    merged: Counter[str] = Counter()
    for word, count in counts.items():
        base = word[:-1] if word.endswith("s") and word[:-1] in counts else word
        merged[base] += count
    return merged


def sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_BREAK.split(text) if s and s.strip()]


def summarise(text: str, frequencies: Counter[str]) -> str:
    """The best-scoring sentences (by frequent content words) in their original order."""
    candidates = list(
        dict.fromkeys(" ".join(s.split()) for s in sentences(text) if 6 <= len(s.split()) <= 60)
    )
    if not candidates:
        return " ".join(text.split())[:300]
    scored = []
    for index, sentence in enumerate(candidates):
        words = _content_words(sentence)
        score = sum(frequencies[w] for w in words) / (len(words) ** 0.5 if words else 1)
        scored.append((-score, index, sentence))
    best = sorted(sorted(scored)[:SUMMARY_SENTENCES], key=lambda item: item[1])
    summary = " ".join(sentence for _score, _index, sentence in best)
    return summary if len(summary) <= SUMMARY_MAX_CHARS else summary[: SUMMARY_MAX_CHARS - 1] + "…"


def topics_of(frequencies: Counter[str], titles: list[str], limit: int = 8) -> list[str]:
    weighted = Counter(frequencies)
    for word in _content_words(" ".join(titles)):
        weighted[word] += 3
    ranked = sorted(weighted.items(), key=lambda item: (-item[1], item[0]))
    return [word for word, count in ranked if count >= 2][:limit] or [w for w, _ in ranked[:3]]


def key_concepts_of(text: str, topics: list[str], limit: int = 8) -> list[str]:
    """Repeated runs of two or three content words, as snake_case ("chain_rule")."""
    phrases: Counter[str] = Counter()
    for sentence in sentences(text):
        run: list[str] = []
        for token in [*WORD.findall(sentence), ""]:
            word = token.lower()
            if word and len(word) > 2 and word not in STOPWORDS:
                run.append(word)
                continue
            for size in (2, 3):
                for start in range(len(run) - size + 1):
                    phrases["_".join(run[start : start + size])] += 1
            run = []
    ranked = sorted(
        ((p, c) for p, c in phrases.items() if c >= 2),
        key=lambda item: (-item[1] * len(item[0].split("_")), item[0]),
    )
    concepts: list[str] = []
    for phrase, _count in ranked:
        if not any(phrase in kept for kept in concepts):
            concepts.append(phrase)
        if len(concepts) == limit:
            return concepts
    return (
        concepts + [t for t in topics if t not in concepts][: max(0, min(3, limit - len(concepts)))]
    )


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence-sized spans of text[start:end]; longer ones split at a space."""
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in [*PIECE_BREAK.finditer(text, start, end), None]:
        stop = match.start() if match else end
        while stop - cursor > CHUNK_MAX:
            cut = text.rfind(" ", cursor, cursor + CHUNK_MAX)
            cut = cut if cut > cursor else cursor + CHUNK_MAX
            spans.append((cursor, cut))
            cursor = cut
        if stop > cursor:
            spans.append((cursor, stop))
        cursor = match.end() if match else end
    return [(a, b) for a, b in spans if text[a:b].strip()]


def chunk(extracted: Extracted) -> list[dict[str, Any]]:
    """Bounded spans of at most CHUNK_MAX characters, never across a page or a section."""
    text = extracted.text
    cuts = {0, len(text)}
    cuts.update(a for a, _b in extracted.pages)
    cuts.update(edge for s in extracted.sections for edge in (s.start, s.end))
    points = sorted(c for c in cuts if 0 <= c <= len(text))
    chunks: list[dict[str, Any]] = []
    for seg_start, seg_end in itertools.pairwise(points):
        current: tuple[int, int] | None = None
        for a, b in _pieces(text, seg_start, seg_end):
            if current and b - current[0] > CHUNK_TARGET:
                chunks.append(_chunk(extracted, *current))
                current = None
            current = (current[0], b) if current else (a, b)
        if current:
            chunks.append(_chunk(extracted, *current))
    for index, item in enumerate(chunks):
        item["index"] = index
    return chunks


def _chunk(extracted: Extracted, start: int, end: int) -> dict[str, Any]:
    text = extracted.text
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return {
        "start": start,
        "end": end,
        "page": extracted.page_at(start),
        "section": extracted.section_at(start),
    }


def analyse(extracted: Extracted) -> dict[str, Any]:
    """The fields of a completed processing run, computed from the extraction alone."""
    frequencies = _singular(Counter(_content_words(extracted.text)))
    titles = [s.title for s in extracted.sections if not s.title.startswith("Page ")]
    topics = topics_of(frequencies, titles)
    chunks = chunk(extracted)
    return {
        "extracted_text": extracted.text,
        "summary": summarise(extracted.text, frequencies),
        "topics": topics,
        "key_concepts": key_concepts_of(extracted.text, topics),
        "sections": [
            {"title": s.title, "start": s.start, "end": s.end, "page": s.page}
            for s in extracted.sections
        ],
        "chunks": chunks,
    }
