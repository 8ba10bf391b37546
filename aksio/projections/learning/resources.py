"""Resources for a goal: the learner's own documents first, then the curated catalog.

The catalog (`aksio/data/resources.json`, shipped with the package) tags each
resource with concepts. A resource matches a goal concept when the concept's
words appear, in order, in one of its concepts or its title (plural `s`
ignored); more matched concepts rank higher, then easier and shorter ones.

A learner's document has no curated time or level, so both are estimated from its text:
its difficulty from the LIX readability index of its first `SAMPLE_CHARS` characters
(words per sentence plus the percentage of words longer than six letters), its time from
its length in words read at a pace that slows with difficulty.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from aksio.projections.documents.projection import contents, get_document
from aksio.projections.learning import signals

DIFFICULTY_ORDER = {"easy": 0, "medium": 1, "hard": 2}
SAMPLE_CHARS = 20_000  # enough text for a stable readability index, little to read
# LIX below 40 reads easily (fiction, news); 55 and above is academic prose.
LIX_MEDIUM, LIX_HARD = 40.0, 55.0
# Words a minute when studying, not skimming: slower as the text gets harder.
STUDY_PACE = {"easy": 200, "medium": 150, "hard": 100}
_WORD = re.compile(r"[^\W\d_]+")
_SENTENCE_END = re.compile(r"[.!?:;]+|\n\s*\n")


@cache
def catalog() -> tuple[dict[str, Any], ...]:
    text = resources.files("aksio").joinpath("data/resources.json").read_text(encoding="utf-8")
    return tuple(json.loads(text)["resources"])


def _words(text: str) -> str:
    words = signals.normalized(text).split()
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words)


def _covers(resource: Mapping[str, Any], concept: str) -> bool:
    wanted = _words(concept)
    if not wanted:
        return False
    haystacks = [_words(c) for c in resource["concepts"]] + [_words(resource["title"])]
    return any(f" {wanted} " in f" {hay} " for hay in haystacks)


def estimated_time(minutes: int) -> str:
    if minutes < 90:
        return f"{minutes} minutes"
    hours = round(minutes / 60)
    return f"{hours} hours"


def difficulty_of(text: str) -> str:
    """`easy`, `medium` or `hard` by the text's LIX readability index."""
    words = _WORD.findall(text)
    if not words:
        return "medium"
    sentences = sum(1 for part in _SENTENCE_END.split(text) if _WORD.search(part))
    long_words = sum(1 for word in words if len(word) > 6)
    lix = len(words) / max(sentences, 1) + 100 * long_words / len(words)
    return "hard" if lix >= LIX_HARD else "medium" if lix >= LIX_MEDIUM else "easy"


def reading_estimate(sample: str, length: int) -> tuple[int, str]:
    """(minutes, difficulty) of a text of `length` characters that begins with `sample`.

    Words are counted in the sample and scaled to the whole length; minutes are rounded up
    to the next 5, at least 5.
    """
    difficulty = difficulty_of(sample)
    sample_words = len(_WORD.findall(sample))
    words = sample_words * max(length, len(sample)) / len(sample) if sample else 0
    minutes = math.ceil(words / STUDY_PACE[difficulty] / 5) * 5
    return max(minutes, 5), difficulty


def _reading(conn: Connection, owner_id: UUID, ids: list[UUID]) -> dict[UUID, tuple[int, str]]:
    """Reading estimates of the owner's processed documents, by id."""
    if not ids:
        return {}
    text = contents.c.extracted_text
    query = sa.select(
        contents.c.document_id, sa.func.length(text), sa.func.substr(text, 1, SAMPLE_CHARS)
    ).where(contents.c.owner_id == owner_id, contents.c.document_id.in_(ids))
    return {row[0]: reading_estimate(row[2] or "", int(row[1] or 0)) for row in conn.execute(query)}


def catalog_matches(concepts: Sequence[str], limit: int) -> list[dict[str, Any]]:
    scored = []
    for resource in catalog():
        matched = [c for c in concepts if _covers(resource, c)]
        if matched:
            rank = (
                -len(matched),
                DIFFICULTY_ORDER.get(resource["difficulty"], 1),
                resource["estimated_minutes"],
                resource["id"],
            )
            scored.append((rank, resource, matched))
    scored.sort(key=lambda item: item[0])
    return [
        {
            "source": "catalog",
            "type": r["type"],
            "title": r["title"],
            "url": r["url"],
            "estimated_time": estimated_time(r["estimated_minutes"]),
            "difficulty": r["difficulty"],
            "matched_concepts": matched,
            "document_id": None,
            "excerpt": None,
        }
        for _, r, matched in scored[:limit]
    ]


def _document_url(conn: Connection, owner_id: UUID, document_id: UUID) -> str | None:
    document = get_document(conn, owner_id, document_id)
    if not document:
        return None
    return f"/api/v1/courses/{document['course_id']}/documents/{document_id}/"


def goal_resources(
    conn: Connection, owner_id: UUID, goal: Mapping[str, Any], course_id: UUID | None, limit: int
) -> dict[str, Any]:
    """Up to `limit` resources on the goal's key concepts (its title when it has none)."""
    concepts = list(goal["key_concepts"]) or [goal["title"]]
    documents = signals.covering_documents(conn, owner_id, concepts, course_id, limit)
    reading = _reading(conn, owner_id, [d["document_id"] for d in documents])
    found = []
    for d in documents:
        # A document indexed but without content yet is judged by its excerpt alone.
        minutes, difficulty = reading.get(d["document_id"]) or reading_estimate(
            d["excerpt"], len(d["excerpt"])
        )
        found.append(
            {
                "source": "document",
                "type": "document",
                "title": d["title"],
                "url": _document_url(conn, owner_id, d["document_id"]),
                "estimated_time": estimated_time(minutes),
                "difficulty": difficulty,
                "matched_concepts": d["matched_concepts"],
                "document_id": d["document_id"],
                "excerpt": d["excerpt"],
            }
        )
    found += catalog_matches(concepts, limit - len(found))
    return {"goal_id": goal["id"], "concepts": concepts, "resources": found}
