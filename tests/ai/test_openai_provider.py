"""The OpenAI adapter with the real client against a loopback server: output, retries, failures."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from aksio.api.app import create_app
from aksio.bootstrap import System, build, migrate
from aksio.core.clock import FixedClock
from aksio.integrations.llm.openai_provider import OpenAILanguageModel
from tests.ai.llm_server import MODEL, USAGE, Reply, llm_server
from tests.ai.support import Headers, assessment, chat, course, generate, send, upload
from tests.conftest import assert_envelope, make_settings

GOOD = json.dumps({
    "flashcards": [
        {"question": "What do enzymes do?", "answer": "They speed up chemical reactions.",
         "difficulty_level": "easy", "passage": 1},
        {"question": "What is a substrate?", "answer": "The molecule an enzyme acts upon.",
         "difficulty_level": "medium", "passage": 1},
    ],
    "questions": [
        {"question_text": "Which enzyme breaks down starch?", "question_type": "multiple_choice",
         "options": ["amylase", "lipase", "protease"], "correct_answer": "amylase",
         "difficulty_level": "medium", "passage": 1},
        {"question_text": "Enzymes are used up in reactions.", "question_type": "true_false",
         "options": ["True", "False"], "correct_answer": "False", "difficulty_level": "easy",
         "passage": 1},
    ],
    "topics": ["enzymes"],
})  # fmt: skip


@pytest.fixture
def openai_system(tmp_path: Path) -> Iterator[tuple[System, TestClient, Headers]]:
    """A SQLite system whose provider, from settings, is `openai` (the URL is set per test)."""
    settings = make_settings(tmp_path, llm_provider="openai", openai_base_url="http://unused/v1")
    migrate(settings)
    system = build(settings, clock=FixedClock(datetime.now(UTC)))
    assert isinstance(system.services.llm, OpenAILanguageModel)
    with TestClient(create_app(system)) as client:
        token = system.tokens.access(uuid4(), system.clock.now())
        yield system, client, {"Authorization": f"Bearer {token}"}
    system.close()


def use(system: System, url: str, timeout_s: float = 5.0) -> None:
    system.services.llm = OpenAILanguageModel(
        base_url=url, api_key=None, model=MODEL, timeout_s=timeout_s, max_retries=1
    )


def setup_course(system: System, client: TestClient, auth: Headers) -> tuple[str, str, str]:
    course_id = course(client, auth)
    document = upload(client, system, auth, course_id, pages=3)
    return course_id, document, assessment(client, auth, course_id)


def test_generation_uses_the_models_structured_output(
    openai_system: tuple[System, TestClient, Headers],
) -> None:
    system, client, auth = openai_system
    _, document, target = setup_course(system, client, auth)
    with llm_server(Reply(GOOD)) as server:
        use(system, server.url)
        response = generate(client, auth, target, document_ids=[document], flashcard_count=2,
                            quiz_questions=2)  # fmt: skip
    assert response.status_code == 200, response.text
    body = response.json()
    cards = body["generated_content"]["flashcards"]["flashcards"]
    assert [c["question"] for c in cards] == ["What do enzymes do?", "What is a substrate?"]
    assert cards[0]["source"]["document_id"] == document and cards[0]["source"]["page"] == 1
    assert body["agent_metadata"]["model"] == MODEL
    assert body["agent_metadata"]["token_usage"]["total_tokens"] == USAGE["total_tokens"]
    sent = server.requests[0]
    assert sent["path"] == "/v1/chat/completions" and sent["model"] == MODEL
    assert sent["response_format"]["type"] == "json_schema"
    assert "[1]" in sent["messages"][-1]["content"]
    usage = client.get("/api/v1/billing/usage/", headers=auth).json()["current_period"]
    assert usage["ai_tokens_used"] == USAGE["total_tokens"]


def test_malformed_reply_is_asked_again_then_503_with_nothing_stored(
    openai_system: tuple[System, TestClient, Headers],
) -> None:
    system, client, auth = openai_system
    _, document, target = setup_course(system, client, auth)
    head = system.store.head()
    with llm_server(Reply('{"flashcards": "many"'), Reply("Sure! Here you go.")) as server:
        use(system, server.url)
        response = generate(client, auth, target, document_ids=[document])
    assert_envelope(response, 503, "SERVICE_UNAVAILABLE")
    assert len(server.requests) == 2
    assert system.store.head() == head
    stored = client.get(f"/api/v1/assessments/{target}/", headers=auth).json()
    assert stored["status"] == "pending"


def test_time_out_is_retried_then_503(openai_system: tuple[System, TestClient, Headers]) -> None:
    system, client, auth = openai_system
    _, document, target = setup_course(system, client, auth)
    head = system.store.head()
    with llm_server(Reply(GOOD, delay=1.5)) as server:
        use(system, server.url, timeout_s=0.3)
        response = generate(client, auth, target, document_ids=[document])
    assert_envelope(response, 503, "SERVICE_UNAVAILABLE")
    assert len(server.requests) == 2  # one try and one bounded retry
    assert system.store.head() == head


def test_server_error_then_success_is_retried(
    openai_system: tuple[System, TestClient, Headers],
) -> None:
    system, client, auth = openai_system
    _, document, target = setup_course(system, client, auth)
    with llm_server(Reply(status=500), Reply(GOOD)) as server:
        use(system, server.url)
        response = generate(client, auth, target, document_ids=[document], flashcard_count=2,
                            quiz_questions=2)  # fmt: skip
    assert response.status_code == 200 and len(server.requests) == 2


def test_chat_answer_cites_passages_and_counts_the_models_tokens(
    openai_system: tuple[System, TestClient, Headers],
) -> None:
    system, client, auth = openai_system
    course_id, document, _ = setup_course(system, client, auth)
    conversation = chat(client, auth, course=course_id, system_prompt="Be brief.")
    answer = "Amylase breaks down starch into sugars [1]."
    with llm_server(Reply(answer)) as server:
        use(system, server.url)
        response = send(client, auth, conversation["id"], "What does amylase do?")
    reply = response.json()["ai_response"]
    assert reply["content"] == answer and reply["ai_model_used"] == MODEL
    assert reply["token_count"] == USAGE["completion_tokens"]
    assert reply["prompt_tokens"] == USAGE["prompt_tokens"]
    assert reply["context_used"]["documents_referenced"] == [document]
    system_message = server.requests[0]["messages"][0]["content"]
    assert system_message.startswith("Be brief.") and "Amylase" in system_message


def test_chat_streams_the_models_pieces(openai_system: tuple[System, TestClient, Headers]) -> None:
    system, client, auth = openai_system
    course_id, _, _ = setup_course(system, client, auth)
    conversation = chat(client, auth, course=course_id)
    with llm_server(Reply(stream=["Amylase ", "breaks down ", "starch [1]."])) as server:
        use(system, server.url)
        streamed = client.post(
            f"/api/v1/chat/chats/{conversation['id']}/send_message/",
            json={"content": "What does amylase do?"},
            headers={**auth, "Accept": "text/event-stream"},
        )
    assert server.requests[0]["stream"] is True
    events = [block.split("\n", 1) for block in streamed.text.strip().split("\n\n")]
    assert [e[0] for e in events] == ["event: delta"] * 3 + ["event: done"]
    done = json.loads(events[-1][1].removeprefix("data: "))
    assert done["ai_response"]["content"] == "Amylase breaks down starch [1]."
    assert done["ai_response"]["token_count"] == USAGE["completion_tokens"]


def test_chat_provider_failure_is_503_and_stores_nothing(
    openai_system: tuple[System, TestClient, Headers],
) -> None:
    system, client, auth = openai_system
    conversation = chat(client, auth)
    head = system.store.head()
    with llm_server(Reply(status=503)) as server:
        use(system, server.url)
        response = send(client, auth, conversation["id"], "Hello?")
        streamed = client.post(
            f"/api/v1/chat/chats/{conversation['id']}/send_message/",
            json={"content": "Hello?"}, headers={**auth, "Accept": "text/event-stream"},
        )  # fmt: skip
    assert_envelope(response, 503, "SERVICE_UNAVAILABLE")
    assert_envelope(streamed, 503, "SERVICE_UNAVAILABLE")
    assert system.store.head() == head
