"""Chats: CRUD and filters, cited answers from your documents only, history, contexts, stats."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient

from aksio.bootstrap import System
from aksio.commands.billing import RecordTokenUsage
from aksio.core.clock import FixedClock
from tests.ai.support import Headers, assessment, chat, course, generate, send, upload
from tests.conftest import assert_envelope


def test_create_list_filter_patch_and_archive(client: TestClient, auth: Headers) -> None:
    course_id = course(client, auth)
    study = chat(client, auth, course=course_id, chat_type="tutoring", temperature=0.2)
    chat(client, auth, chat_type="general")
    assert study["course"] == course_id and study["status"] == "active"
    listed = client.get("/api/v1/chat/chats/", params={"chat_type": "tutoring"}, headers=auth)
    assert [c["id"] for c in listed.json()["results"]] == [study["id"]]
    url = f"/api/v1/chat/chats/{study['id']}/"
    patched = client.patch(url, json={"title": "Exam prep", "is_pinned": True}, headers=auth)
    assert patched.json()["title"] == "Exam prep" and patched.json()["is_pinned"] is True
    assert client.get("/api/v1/chat/chats/", headers=auth).json()["results"][0]["id"] == study["id"]
    assert client.delete(url, headers=auth).status_code == 204
    archived = client.get("/api/v1/chat/chats/", params={"status": "archived"}, headers=auth)
    assert [c["id"] for c in archived.json()["results"]] == [study["id"]]
    assert_envelope(send(client, auth, study["id"], "Still there?"), 409, "INVALID_STATE")
    bad = client.post("/api/v1/chat/chats/", json={"chat_type": "gossip"}, headers=auth)
    assert_envelope(bad, 422, "VALIDATION_ERROR")


def test_answer_cites_the_course_documents(
    client: TestClient, system: System, auth: Headers
) -> None:
    course_id = course(client, auth)
    document = upload(client, system, auth, course_id, pages=5)
    conversation = chat(client, auth, course=course_id)
    response = send(client, auth, conversation["id"], "What does amylase break down?")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["user_message"]["role"] == "user"
    answer = body["ai_response"]
    assert "Amylase is an enzyme that breaks down starch into sugars." in answer["content"]
    used = answer["context_used"]
    assert used["documents_referenced"] == [document]
    assert any("Amylase" in p["excerpt"] and p["page"] == 3 for p in used["passages"])
    assert answer["token_count"] > 0 and answer["ai_model_used"] == "aksio-offline"
    usage = client.get("/api/v1/billing/usage/", headers=auth).json()["current_period"]
    assert usage["ai_tokens_used"] == answer["token_count"] + answer["prompt_tokens"]


def test_another_users_document_is_never_context(
    client: TestClient, system: System, auth: Headers, make_user: Callable[[], Headers]
) -> None:
    other = make_user()
    foreign = upload(client, system, other, course(client, other), pages=5)
    conversation = chat(client, auth)
    response = send(client, auth, conversation["id"], "What is amylase?",
                    context_documents=[foreign])  # fmt: skip
    assert_envelope(response, 404, "RESOURCE_NOT_FOUND")
    added = client.post(f"/api/v1/chat/chats/{conversation['id']}/add_context/",
                        json={"document_ids": [foreign]}, headers=auth)  # fmt: skip
    assert_envelope(added, 404, "RESOURCE_NOT_FOUND")
    plain = send(client, auth, conversation["id"], "What is amylase?").json()["ai_response"]
    assert plain["context_used"]["documents_referenced"] == []
    assert "Amylase" not in plain["content"]
    assert_envelope(send(client, other, conversation["id"], "Hi"), 404, "RESOURCE_NOT_FOUND")


def test_follow_up_keeps_the_conversation(
    client: TestClient, system: System, auth: Headers
) -> None:
    course_id = course(client, auth)
    upload(client, system, auth, course_id, pages=5)
    conversation = chat(client, auth, course=course_id)
    send(client, auth, conversation["id"], "Tell me about starch")
    follow = send(client, auth, conversation["id"], "Which enzyme breaks it down?").json()
    assert "Amylase" in follow["ai_response"]["content"]
    assert follow["ai_response"]["context_used"]["history_messages"] == 2
    url = f"/api/v1/chat/chats/{conversation['id']}/messages/"
    everything = client.get(url, headers=auth).json()
    assert [m["role"] for m in everything["results"]] == ["user", "assistant"] * 2
    latest = client.get(url, params={"limit": 1}, headers=auth).json()["results"]
    assert latest[0]["id"] == follow["ai_response"]["id"]
    asked = client.get(url, params={"role": "user"}, headers=auth).json()["results"]
    assert [m["content"] for m in asked] == ["Tell me about starch", "Which enzyme breaks it down?"]


def test_added_context_is_used_until_it_expires(
    client: TestClient, system: System, auth: Headers, clock: FixedClock
) -> None:
    document = upload(client, system, auth, course(client, auth), pages=5)
    conversation = chat(client, auth)
    expires = (clock.now() + timedelta(days=1)).isoformat()
    added = client.post(
        f"/api/v1/chat/chats/{conversation['id']}/add_context/",
        json={"document_ids": [document], "priority": "high", "expiration_date": expires,
              "content": "Focus on enzymes"}, headers=auth,
    )  # fmt: skip
    assert added.status_code == 201, added.text
    answer = send(client, auth, conversation["id"], "What does lipase do?").json()["ai_response"]
    assert answer["context_used"]["documents_referenced"] == [document]
    assert answer["context_used"]["contexts_applied"] == [added.json()["id"]]
    clock.advance(days=2)
    later = send(client, auth, conversation["id"], "What does lipase do?").json()["ai_response"]
    assert later["context_used"]["documents_referenced"] == []
    past = client.post(f"/api/v1/chat/chats/{conversation['id']}/add_context/",
                       json={"expiration_date": expires}, headers=auth)  # fmt: skip
    assert_envelope(past, 422, "VALIDATION_ERROR")


def test_streaming_sends_pieces_then_stores_the_same_exchange(
    client: TestClient, system: System, auth: Headers
) -> None:
    course_id = course(client, auth)
    upload(client, system, auth, course_id, pages=5)
    conversation = chat(client, auth, course=course_id)
    response = send(client, auth, conversation["id"], "What is osmosis?",
                    message_type="question")  # fmt: skip
    streamed = client.post(
        f"/api/v1/chat/chats/{conversation['id']}/send_message/",
        json={"content": "What is osmosis?"},
        headers={**auth, "Accept": "text/event-stream"},
    )
    assert streamed.status_code == 201
    assert streamed.headers["content-type"].startswith("text/event-stream")
    events = [block.split("\n", 1) for block in streamed.text.strip().split("\n\n")]
    names = [name.removeprefix("event: ") for name, _ in events]
    assert names[-1] == "done" and set(names[:-1]) == {"delta"} and len(names) > 2
    pieces = "".join(json.loads(data.removeprefix("data: "))["content"] for _, data in events[:-1])
    done = json.loads(events[-1][1].removeprefix("data: "))
    assert pieces == done["ai_response"]["content"] == response.json()["ai_response"]["content"]
    url = f"/api/v1/chat/chats/{conversation['id']}/messages/"
    stored = client.get(url, headers=auth).json()["results"]
    assert stored[-1]["id"] == done["ai_response"]["id"] and stored[-1]["content"] == pieces


def test_stats_count_chats_messages_and_insights(
    client: TestClient, system: System, auth: Headers
) -> None:
    course_id = course(client, auth)
    upload(client, system, auth, course_id, pages=5)
    first = chat(client, auth, course=course_id, chat_type="tutoring", is_favorite=True)
    chat(client, auth)
    send(client, auth, first["id"], "What do enzymes do?")
    send(client, auth, first["id"], "Which allele is expressed with one copy?",
         message_type="problem")  # fmt: skip
    stats = client.get("/api/v1/chat/chats/stats/", headers=auth).json()
    assert stats["total_chats"] == 2 and stats["active_chats"] == 2
    assert stats["total_messages"] == 4 and stats["favorite_chats"] == 1
    assert stats["total_tokens_used"] > 0
    assert {"chat_type": "tutoring", "count": 1} in stats["by_type"]
    insights = stats["learning_insights"]
    assert insights["questions_answered"] == 1 and insights["problems_solved"] == 1
    assert insights["concepts_discussed"] >= 2


def test_used_up_token_quota_is_403_for_chat_and_generation(
    client: TestClient, system: System, auth: Headers
) -> None:
    owner = system.tokens.user_of_access(auth["Authorization"].removeprefix("Bearer "))
    system.bus.dispatch(RecordTokenUsage(owner_id=owner, tokens=50_000))
    system.drain()
    course_id = course(client, auth)
    conversation = chat(client, auth, course=course_id)
    head = system.store.head()
    assert_envelope(send(client, auth, conversation["id"], "Hello?"), 403, "QUOTA_EXCEEDED")
    target = assessment(client, auth, course_id)
    assert_envelope(generate(client, auth, target, topic="cells"), 403, "QUOTA_EXCEEDED")
    assert system.store.head() == head + 1  # only the assessment was created
