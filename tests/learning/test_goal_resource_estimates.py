"""Goal resources from the learner's own documents carry a reading time and a difficulty,
estimated from the document's length and readability, as catalog resources do."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from aksio.bootstrap import System
from aksio.projections.learning.resources import difficulty_of, reading_estimate
from tests.learning.support import BASE, learner, make_goal, make_plan, ok

# 10 words in 2 sentences, one word longer than six letters: LIX 5 + 10 = 15.
EASY = "The chain rule is easy to use. Then we multiply. "
# 26 words in 1 sentence, 18 of them longer than six letters: LIX 26 + 69 = 95.
HARD = (
    "Consequently, differentiation of composite functions necessitates systematic application "
    "of the chain rule, whereby derivatives of constituent mappings are multiplied "
    "consecutively, notwithstanding considerable notational complexity for students. "
)
# 15 words in 1 sentence, 4 of them longer than six letters: LIX 15 + 27 = 42.
MEDIUM = "We use the chain rule when one function sits inside another function, and we multiply. "


@pytest.mark.parametrize(
    ("text", "difficulty"),
    [(EASY, "easy"), (HARD, "hard"), (MEDIUM, "medium"), ("", "medium"), ("1 2 3 ...", "medium")],
)
def test_difficulty_follows_readability(text: str, difficulty: str) -> None:
    assert difficulty_of(text * 3) == difficulty


@pytest.mark.parametrize(
    ("sample", "length", "expected"),
    [
        (EASY * 100, len(EASY) * 100, (5, "easy")),  # 1,000 words at 200 a minute
        (EASY * 100, len(EASY) * 300, (15, "easy")),  # the sample scaled to the whole text
        (EASY * 101, len(EASY) * 101, (10, "easy")),  # 1,010 words: rounded up to 10
        (HARD * 50, len(HARD) * 50, (15, "hard")),  # 1,300 words at 100 a minute
        (MEDIUM * 100, len(MEDIUM) * 100, (10, "medium")),  # 1,500 words at 150 a minute
        ("", 0, (5, "medium")),
    ],
)
def test_reading_time_follows_length_and_difficulty(
    sample: str, length: int, expected: tuple[int, str]
) -> None:
    assert reading_estimate(sample, length) == expected


def test_document_resources_have_a_time_and_a_difficulty(
    client: TestClient, system: System
) -> None:
    for runner in system.reactors:
        runner.stop()  # processing then runs only in `system.drain()`
    me = learner(system)
    course = ok(client.post("/api/v1/courses/", json={"name": "Calculus"}, headers=me), 201)
    texts = {"easy.txt": EASY * 560, "hard.txt": HARD * 380}  # 5,600 and 9,880 words
    for name, text in texts.items():
        upload = client.post(
            f"/api/v1/courses/{course['id']}/documents/upload/",
            headers=me,
            files={"file": (name, text.encode(), "text/plain")},
        )
        ok(upload, 201)
    system.drain()
    plan = make_plan(client, me, course=course["id"])
    goal = make_goal(
        client, me, plan["id"], key_concepts=["multiply", "notational complexity", "chain rule"]
    )
    found = ok(client.get(f"{BASE}/goals/{goal['id']}/resources/", headers=me))["resources"]
    mine = {r["title"]: r for r in found if r["source"] == "document"}
    assert {t: (r["estimated_time"], r["difficulty"]) for t, r in mine.items()} == {
        "easy": ("30 minutes", "easy"),  # 5,600 words at 200 a minute: 28 minutes
        "hard": ("2 hours", "hard"),  # 9,880 words at 100 a minute: 99 minutes
    }
    catalog = [r for r in found if r["source"] == "catalog"]
    assert catalog and all(r["estimated_time"] and r["difficulty"] for r in catalog)
