"""`generate_content/` on real uploaded PDFs: real cards and quiz, sources, limits, adaptivity."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

from fastapi.testclient import TestClient

from aksio.api.app import create_app
from aksio.bootstrap import System, build, migrate
from aksio.core.clock import FixedClock
from tests.ai.support import Headers, assessment, course, generate, upload
from tests.conftest import assert_envelope, make_settings
from tests.documents.files import blank_pdf_bytes


def test_generates_real_cards_and_quiz_with_sources(
    client: TestClient, system: System, auth: Headers
) -> None:
    course_id = course(client, auth)
    document = upload(client, system, auth, course_id, pages=5)
    target = assessment(client, auth, course_id)
    response = generate(client, auth, target, topic="Cells", document_ids=[document],
                        flashcard_count=12, quiz_questions=8)  # fmt: skip
    assert response.status_code == 200, response.text
    body = response.json()
    cards, quiz = body["generated_content"]["flashcards"], body["generated_content"]["quiz"]
    assert cards["count"] == 12 and quiz["question_count"] == 8 and body["warnings"] == []
    assert all(c["source"]["document_id"] == document and c["source"]["page"] for c in
               cards["flashcards"])  # fmt: skip
    due = client.get("/api/v1/assessments/flashcards/due/", headers=auth).json()
    assert {c["id"] for c in cards["flashcards"]} <= {c["id"] for c in due}
    shown = client.get(f"/api/v1/assessments/quizzes/{quiz['quiz_id']}/", headers=auth).json()
    assert len(shown["questions"]) == 8
    assert [q["question_text"] for q in shown["questions"]] == [
        q["question_text"] for q in quiz["questions"]
    ]
    stored = client.get(f"/api/v1/assessments/{target}/", headers=auth).json()
    assert stored["status"] == "completed"
    assert stored["generated_content"]["quiz"]["quiz_id"] == quiz["quiz_id"]
    analysis = body["agent_metadata"]["flashcard_generation"]["content_analysis"]
    assert sum(analysis["difficulty_distribution"].values()) == 12
    assert analysis["topics_identified"]


def test_counts_tokens_into_the_users_usage(
    client: TestClient, system: System, auth: Headers
) -> None:
    course_id = course(client, auth)
    document = upload(client, system, auth, course_id, pages=2)
    response = generate(client, auth, assessment(client, auth, course_id),
                        document_ids=[document], flashcard_count=3, quiz_questions=2)  # fmt: skip
    used = response.json()["agent_metadata"]["token_usage"]["total_tokens"]
    usage = client.get("/api/v1/billing/usage/", headers=auth).json()
    assert used > 0 and usage["current_period"]["ai_tokens_used"] == used


def test_too_little_material_warns(client: TestClient, system: System, auth: Headers) -> None:
    course_id = course(client, auth)
    document = upload(client, system, auth, course_id, pages=1)
    response = generate(client, auth, assessment(client, auth, course_id),
                        document_ids=[document], flashcard_count=40, quiz_questions=30)  # fmt: skip
    body = response.json()
    assert body["generated_content"]["flashcards"]["count"] < 40
    assert any("flashcards" in w for w in body["warnings"])
    assert any("quiz questions" in w for w in body["warnings"])


def test_another_users_document_is_404_and_nothing_is_stored(
    client: TestClient, system: System, auth: Headers, make_user: Callable[[], Headers]
) -> None:
    other = make_user()
    foreign = upload(client, system, other, course(client, other), pages=1)
    course_id = course(client, auth)
    target = assessment(client, auth, course_id)
    head = system.store.head()
    response = generate(client, auth, target, document_ids=[foreign])
    assert_envelope(response, 404, "RESOURCE_NOT_FOUND")
    assert system.store.head() == head
    assert_envelope(generate(client, other, target), 404, "RESOURCE_NOT_FOUND")


def test_document_without_processed_text_is_409(
    client: TestClient, system: System, auth: Headers
) -> None:
    course_id = course(client, auth)
    document = upload(client, system, auth, course_id, content=blank_pdf_bytes())
    response = generate(client, auth, assessment(client, auth, course_id), document_ids=[document])
    assert_envelope(response, 409, "INVALID_STATE")


def test_without_documents_draws_on_the_course_for_the_topic(
    client: TestClient, system: System, auth: Headers
) -> None:
    course_id = course(client, auth)
    upload(client, system, auth, course_id, pages=5)
    response = generate(client, auth, assessment(client, auth, course_id), topic="enzymes",
                        flashcard_count=3, quiz_questions=0)  # fmt: skip
    cards = response.json()["generated_content"]["flashcards"]["flashcards"]
    assert len(cards) == 3
    assert response.json()["generated_content"]["quiz"]["quiz_id"] is None


def test_adaptive_raises_difficulty_for_a_strong_learner(
    client: TestClient, system: System, auth: Headers
) -> None:
    course_id = course(client, auth)
    document = upload(client, system, auth, course_id, pages=5)
    target = assessment(client, auth, course_id)
    first = generate(client, auth, target, document_ids=[document], flashcard_count=4,
                     quiz_questions=0, use_adaptive=True).json()  # fmt: skip
    adjustments = first["agent_metadata"]["quiz_generation"]["adaptive_adjustments"]
    assert adjustments["applied"] is False and "No reviewed" in adjustments["reason"]
    for card in first["generated_content"]["flashcards"]["flashcards"]:
        review = {"quality_response": 5}
        url = f"/api/v1/assessments/flashcards/{card['id']}/review/"
        assert client.post(url, json=review, headers=auth).status_code == 200
    again = generate(client, auth, target, document_ids=[document], flashcard_count=10,
                     quiz_questions=0, use_adaptive=True).json()  # fmt: skip
    adjustments = again["agent_metadata"]["quiz_generation"]["adaptive_adjustments"]
    assert adjustments["difficulty_increased"] is True and adjustments["difficulty_level"] == "hard"
    spread = again["agent_metadata"]["flashcard_generation"]["content_analysis"]
    assert spread["difficulty_distribution"] == {"easy": 1, "medium": 3, "hard": 6}


def test_generation_is_rate_limited(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, rate_limit_ai="1/hour")
    migrate(settings)
    system = build(settings, clock=FixedClock(datetime.now(UTC)))
    try:
        with TestClient(create_app(system)) as client:
            token = system.tokens.access(uuid4(), system.clock.now())
            auth = {"Authorization": f"Bearer {token}"}
            target = assessment(client, auth, course(client, auth))
            assert generate(client, auth, target, topic="cells").status_code == 200
            limited = generate(client, auth, target, topic="cells")
            assert_envelope(limited, 429, "RATE_LIMIT_EXCEEDED")
            assert "retry-after" in limited.headers
    finally:
        system.close()


def test_answer_key_of_a_generated_quiz_is_hidden_while_an_attempt_runs(
    client: TestClient, system: System, auth: Headers
) -> None:
    course_id = course(client, auth)
    document = upload(client, system, auth, course_id, pages=2)
    target = assessment(client, auth, course_id)
    body = generate(client, auth, target, document_ids=[document], flashcard_count=2,
                    quiz_questions=3).json()  # fmt: skip
    quiz_id = body["generated_content"]["quiz"]["quiz_id"]

    def questions(path: str) -> list[dict[str, object]]:
        found = client.get(path, headers=auth).json()
        rows = found.get("results", [found])
        shown: list[dict[str, object]] = rows[0]["generated_content"]["quiz"]["questions"]
        return shown

    one, listed = f"/api/v1/assessments/{target}/", f"/api/v1/assessments/?course={course_id}"
    assert all("correct_answer" in q and "source" in q for q in questions(one))
    attempt = client.post(f"/api/v1/assessments/quizzes/{quiz_id}/start_attempt/", headers=auth)
    assert attempt.status_code == 201, attempt.text
    for path in (one, listed):
        hidden = questions(path)
        assert len(hidden) == 3
        assert not any({"correct_answer", "explanation", "source"} & set(q) for q in hidden)
    audit = client.get(f"/api/v1/audit/events/?aggregate_id={target}", headers=auth).json()
    assert "correct_answer" not in str(audit["results"])
    done = client.post(
        f"/api/v1/assessments/quiz-attempts/{attempt.json()['attempt_id']}/complete/", headers=auth
    )
    assert done.status_code == 200, done.text
    assert all("correct_answer" in q for q in questions(one))
