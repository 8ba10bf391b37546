"""Generated cards and questions name the passage they came from; hand-made ones name none.

A question's source holds its answer, so it is withheld while an attempt at the
quiz runs. Events stored before sources were kept (no `source` field) replay
as content without a source, and a rebuild answers exactly as before.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from aksio.aggregates.flashcards.flashcard import Flashcard
from aksio.aggregates.quizzes.quiz import Quiz
from aksio.bootstrap import System
from aksio.core.errors import ValidationFailed
from aksio.projections.flashcards.projection import FlashcardsProjection
from aksio.projections.quizzes import QuizzesProjection
from tests.ai.material import CHAPTERS
from tests.ai.support import Headers, assessment, course, generate, upload
from tests.quizzes.support import QUIZZES, add, complete, mc, ok, start

CARDS = "/api/v1/assessments/flashcards/"
AUDIT = "/api/v1/audit/events/"


def generated(
    client: TestClient, system: System, auth: Headers, cards: int = 6, questions: int = 4
) -> tuple[str, dict[str, Any]]:
    """A processed five-page PDF and what `generate_content/` made from it."""
    course_id = course(client, auth)
    document = upload(client, system, auth, course_id, pages=5)
    response = generate(client, auth, assessment(client, auth, course_id),
                        document_ids=[document], flashcard_count=cards,
                        quiz_questions=questions)  # fmt: skip
    body: dict[str, Any] = ok(response)
    return document, body["generated_content"]


def assert_names_page_of(source: dict[str, Any], document: str) -> None:
    """The source names the document, and its excerpt is a sentence of the page it names."""
    assert source["document_id"] == document
    assert source["document_name"] == "Biology notes"
    page = source["page"]
    assert isinstance(page, int) and page >= 1
    assert source["excerpt"] in CHAPTERS[(page - 1) % len(CHAPTERS)]


def test_generated_card_shows_the_passage_holding_its_answer(
    client: TestClient, system: System, auth: Headers
) -> None:
    document, content = generated(client, system, auth, questions=0)
    made = content["flashcards"]["flashcards"]
    assert len(made) == 6
    for card in made:
        shown = ok(client.get(f"{CARDS}{card['id']}/", headers=auth))
        source = shown["source"]
        assert_names_page_of(source, document)
        assert shown["answer"].strip().lower() in source["excerpt"].lower()
        assert source == card["source"]  # the same as the assessment's record of it
    listed = ok(client.get(CARDS, params={"page_size": 50}, headers=auth))["results"]
    assert {c["id"]: c["source"]["document_id"] for c in listed} == {
        c["id"]: document for c in made
    }


def _question_sources(client: TestClient, auth: Headers, quiz_id: str) -> list[Any]:
    shown = ok(client.get(f"{QUIZZES}{quiz_id}/", headers=auth))
    return [q["source"] for q in shown["questions"]]


def test_generated_question_shows_its_source_except_during_an_attempt(
    client: TestClient, system: System, auth: Headers
) -> None:
    document, content = generated(client, system, auth, cards=1, questions=4)
    quiz = content["quiz"]
    sources = _question_sources(client, auth, quiz["quiz_id"])
    assert len(sources) == 4
    for source, record in zip(sources, quiz["questions"], strict=True):
        assert_names_page_of(source, document)
        assert record["correct_answer"].lower() in source["excerpt"].lower()

    attempt = start(client, auth, quiz["quiz_id"])["attempt_id"]
    assert _question_sources(client, auth, quiz["quiz_id"]) == [None] * 4
    history = ok(client.get(AUDIT, params={"aggregate_id": quiz["quiz_id"]}, headers=auth))
    added = [e["data"] for e in history["results"] if e["type"] == "quiz.question_added"]
    assert len(added) == 4 and not any("source" in e["fields"] for e in added)

    ok(complete(client, auth, attempt))
    assert _question_sources(client, auth, quiz["quiz_id"]) == sources


def test_hand_made_card_and_question_have_no_source(
    client: TestClient, system: System, auth: Headers
) -> None:
    body = {"course": course(client, auth), "question": "What is osmosis?", "answer": "Water"}
    card = ok(client.post(CARDS, json=body, headers=auth), 201)
    assert card["source"] is None
    assert ok(client.get(f"{CARDS}{card['id']}/", headers=auth))["source"] is None
    quiz = ok(client.post(QUIZZES, json={"course": body["course"], "title": "Q"}, headers=auth),
              201)  # fmt: skip
    assert add(client, auth, quiz["id"], mc())["source"] is None
    assert _question_sources(client, auth, quiz["id"]) == [None]


def test_source_must_be_an_object() -> None:
    now = datetime(2026, 1, 5, tzinfo=UTC)
    fields = {"question": "Q", "answer": "A", "source": "page 3"}
    with pytest.raises(ValidationFailed):
        Flashcard.create(uuid4(), fields, now=now, scheduler="sm2")
    quiz = Quiz.create(uuid4(), uuid4(), {"title": "Q"})
    question = {"question_text": "Q", "question_type": "short_answer", "source": ["page 3"],
                "options": [{"id": "a", "text": "A", "is_correct": True}]}  # fmt: skip
    with pytest.raises(ValidationFailed):
        quiz.add_question(uuid4(), question)


def _old_shaped_quiz(system: System, owner: UUID) -> str:
    """A quiz stored as before sources were kept: its question event has no `source` field."""
    quiz = Quiz.create(owner, uuid4(), {"title": "Stored long ago"})
    options = [{**o, "id": str(uuid4())} for o in mc()["options"]]
    quiz.add_question(uuid4(), {**mc(), "options": options})
    for pending in quiz.pending_events:
        if isinstance(pending, Quiz.QuestionAdded):
            del pending.fields["source"]
    system.store.save(quiz)
    system.drain()
    return str(quiz.id)


def snapshot(system: System, tables: tuple[sa.Table, ...]) -> list[list[dict[str, Any]]]:
    with system.engine.connect() as conn:
        return [
            sorted((dict(r) for r in conn.execute(t.select()).mappings()), key=str) for t in tables
        ]


def test_events_without_source_replay_and_a_rebuild_answers_as_before(
    client: TestClient, system: System
) -> None:
    owner = uuid4()
    auth = {"Authorization": f"Bearer {system.tokens.access(owner, system.clock.now())}"}
    _, content = generated(client, system, auth, cards=3, questions=2)
    body = {"course": course(client, auth), "question": "What is osmosis?", "answer": "Water"}
    card = ok(client.post(CARDS, json=body, headers=auth), 201)
    created = ok(client.get(AUDIT, params={"aggregate_id": card["id"]}, headers=auth))
    assert "source" not in created["results"][0]["data"]["fields"]  # the shape stored before
    old_quiz = _old_shaped_quiz(system, owner)
    assert _question_sources(client, auth, old_quiz) == [None]
    urls = [
        f"{CARDS}?page_size=50",
        f"{CARDS}{card['id']}/",
        f"{QUIZZES}{content['quiz']['quiz_id']}/",
        f"{QUIZZES}{old_quiz}/",
    ]
    answers = [ok(client.get(url, headers=auth)) for url in urls]
    assert sum(c["source"] is not None for c in answers[0]["results"]) == 3
    projections = [p for p in system.projections
                   if isinstance(p, FlashcardsProjection | QuizzesProjection)]  # fmt: skip
    tables = tuple(t for p in projections for t in p.tables)
    before = snapshot(system, tables)
    system.runner.rebuild(projections)
    assert snapshot(system, tables) == before
    assert [ok(client.get(url, headers=auth)) for url in urls] == answers
