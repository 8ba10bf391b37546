"""Resources for a goal: the learner's own documents first, then the curated catalog.

The catalog (`aksio/data/resources.json`, shipped with the package) tags each
resource with concepts. A resource matches a goal concept when the concept's
words appear, in order, in one of its concepts or its title (plural `s`
ignored); more matched concepts rank higher, then easier and shorter ones.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any
from uuid import UUID

from sqlalchemy.engine import Connection

from aksio.projections import learning_signals as signals
from aksio.projections.documents import get_document

DIFFICULTY_ORDER = {"easy": 0, "medium": 1, "hard": 2}


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
    found = [
        {
            "source": "document",
            "type": "document",
            "title": d["title"],
            "url": _document_url(conn, owner_id, d["document_id"]),
            "estimated_time": None,
            "difficulty": None,
            "matched_concepts": d["matched_concepts"],
            "document_id": d["document_id"],
            "excerpt": d["excerpt"],
        }
        for d in documents
    ]
    found += catalog_matches(concepts, limit - len(found))
    return {"goal_id": goal["id"], "concepts": concepts, "resources": found}
