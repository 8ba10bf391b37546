"""Rebuilding the quizzes and assessments read models answers exactly as before."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from aksio.bootstrap import System
from aksio.core.clock import FixedClock
from aksio.projections.assessments import AssessmentsProjection
from aksio.projections.quizzes import QuizzesProjection
from tests.quizzes.support import (
    ATTEMPTS,
    QUIZZES,
    Headers,
    add,
    answer,
    complete,
    correct_option,
    make_course,
    make_quiz,
    mc,
    ok,
    short,
    start,
    tf,
    wrong_option,
)


def snapshot(system: System, tables: tuple[sa.Table, ...]) -> list[list[dict[str, Any]]]:
    with system.engine.connect() as conn:
        return [
            sorted((dict(r) for r in conn.execute(t.select()).mappings()), key=lambda r: str(r))
            for t in tables
        ]


def test_rebuild_gives_the_same_rows_and_answers(
    client: TestClient, auth: Headers, system: System, clock: FixedClock
) -> None:
    quiz = make_quiz(client, auth, time_limit_minutes=30, randomize_questions=True)
    choice, _, written = (add(client, auth, quiz["id"], b) for b in (mc(), tf(), short()))
    done = start(client, auth, quiz["id"])["attempt_id"]
    ok(answer(client, auth, done, question=choice["id"], selected_options=[wrong_option(choice)]))
    ok(answer(client, auth, done, question=written["id"], text_answer="Chain rule"))
    clock.advance(minutes=12)
    ok(complete(client, auth, done))
    fix = {"options": [{"id": correct_option(choice), "is_correct": False},
                       {"id": wrong_option(choice), "is_correct": True}]}  # fmt: skip
    ok(client.patch(f"{QUIZZES}{quiz['id']}/questions/{choice['id']}/", json=fix, headers=auth))
    ok(client.post(f"{QUIZZES}{quiz['id']}/regrade/", headers=auth))
    running = start(client, auth, quiz["id"])["attempt_id"]
    ok(client.patch(f"{QUIZZES}{quiz['id']}/", json={"title": "Renamed"}, headers=auth))
    course = make_course(client, auth)
    kept = ok(client.post("/api/v1/assessments/", json={"course": course, "title": "A"},
                          headers=auth), 201)  # fmt: skip
    gone = ok(client.post("/api/v1/assessments/", json={"course": course, "title": "B"},
                          headers=auth), 201)  # fmt: skip
    client.patch(f"/api/v1/assessments/{kept['id']}/", json={"description": "d"}, headers=auth)
    client.delete(f"/api/v1/assessments/{gone['id']}/", headers=auth)
    urls = [
        QUIZZES,
        f"{QUIZZES}{quiz['id']}/",
        f"{QUIZZES}{quiz['id']}/attempts/",
        f"{ATTEMPTS}{done}/",
        f"{ATTEMPTS}{running}/",
        "/api/v1/assessments/",
        f"/api/v1/assessments/{kept['id']}/",
    ]
    answers_before = [ok(client.get(url, headers=auth)) for url in urls]
    projections = [p for p in system.projections
                   if isinstance(p, QuizzesProjection | AssessmentsProjection)]  # fmt: skip
    tables = tuple(t for p in projections for t in p.tables)
    before = snapshot(system, tables)
    assert [len(rows) for rows in before] == [1, 3, 2, 1]
    system.runner.rebuild(projections)
    assert snapshot(system, tables) == before
    assert [ok(client.get(url, headers=auth)) for url in urls] == answers_before
