"""What other read models tell the learning context: due cards, quiz answers, documents.

Each signal goes through the owning context's public query functions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from typing import Any
from uuid import UUID

from sqlalchemy.engine import Connection

from aksio.projections.documents.chunks import search_chunks
from aksio.projections.flashcards.queries import list_due
from aksio.projections.quizzes import list_attempts, list_quizzes

DUE_CAP = 1000
PAGE = 200
WORD = re.compile(r"[^\W_]+")


def normalized(text: str) -> str:
    """Lower-case words joined by single spaces: `Chain_Rule` and `chain rule` match."""
    return " ".join(WORD.findall(text.lower()))


def mentions(text: str, concept: str) -> bool:
    wanted = normalized(concept)
    return bool(wanted) and f" {wanted} " in f" {normalized(text)} "


def due_flashcards(conn: Connection, owner_id: UUID, now: datetime, course_id: UUID | None) -> int:
    """Active cards due now (in the course when given), counted up to `DUE_CAP`."""
    return len(list_due(conn, owner_id, now, course_id=course_id, limit=DUE_CAP))


def _graded_answers(conn: Connection, owner_id: UUID, course_id: UUID | None) -> list[Any]:
    answers: list[Any] = []
    quizzes = _pages(partial(list_quizzes, conn, owner_id), course_id=course_id)
    for quiz_id in [quiz["id"] for quiz in quizzes]:
        for attempt in _pages(partial(list_attempts, conn, owner_id, quiz_id)):
            result = attempt.get("result") or {}
            answers.extend(result.get("detailed_results") or [])
    return answers


def _pages(fetch: Callable[..., Any], **filters: Any) -> Iterable[dict[str, Any]]:
    """Every row of a paged query function called as `fetch(page, page_size, **filters)`."""
    page = 1
    while True:
        found = fetch(page, PAGE, **filters)
        yield from found.rows
        if not found.has_next:
            return
        page += 1


def concept_accuracy(
    conn: Connection, owner_id: UUID, course_id: UUID | None, concepts: Iterable[str]
) -> list[dict[str, Any]]:
    """For each concept, graded quiz answers whose question mentions it, and how many were right."""
    answers = [
        a
        for a in _graded_answers(conn, owner_id, course_id)
        if a.get("is_correct") in (True, False)
    ]
    out = []
    for concept in dict.fromkeys(concepts):
        hits = [a for a in answers if mentions(str(a.get("question", "")), concept)]
        if hits:
            correct = sum(1 for a in hits if a["is_correct"] is True)
            out.append(
                {
                    "concept": concept,
                    "answered": len(hits),
                    "correct": correct,
                    "accuracy": round(100 * correct / len(hits), 1),
                }
            )
    return out


def covering_documents(
    conn: Connection, owner_id: UUID, concepts: Iterable[str], course_id: UUID | None, limit: int
) -> list[dict[str, Any]]:
    """The learner's documents with passages on the concepts, most concepts covered first."""
    found: dict[UUID, dict[str, Any]] = {}
    for concept in dict.fromkeys(concepts):
        for passage in search_chunks(
            conn, owner_id, concept.replace("_", " "), course_id=course_id, max_chunks=limit * 3
        ):
            if not mentions(passage.text, concept):
                continue
            doc = found.setdefault(
                passage.document_id,
                {
                    "document_id": passage.document_id,
                    "title": passage.document_name or "Document",
                    "matched_concepts": [],
                    "score": 0.0,
                    "excerpt": passage.text[:300],
                },
            )
            if concept not in doc["matched_concepts"]:
                doc["matched_concepts"].append(concept)
                doc["score"] = round(doc["score"] + passage.score, 4)
    ranked = sorted(
        found.values(),
        key=lambda d: (-len(d["matched_concepts"]), -d["score"], str(d["document_id"])),
    )
    return ranked[:limit]
