"""Stored events are a public schema: the events whose appliers were reworked store exactly
the topic and fields, in the same order, that they stored before."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.domain import DomainEventProtocol

from aksio.aggregates.chat.chat import Chat
from aksio.aggregates.documents.document import Document
from aksio.core.store import EventStore

OWNER = UUID("00000000-0000-4000-8000-000000000001")
COURSE = UUID("00000000-0000-4000-8000-000000000002")
RUN = UUID("00000000-0000-4000-8000-000000000003")
ASKED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
NOW = datetime(2026, 1, 2, 3, 4, 9, 250000, tzinfo=UTC)
LATER = datetime(2026, 2, 1, tzinfo=UTC)
RANDOM = ("timestamp", "message_id", "reply_to", "context_id")  # differ on every run


def chat_events() -> list[DomainEventProtocol[UUID]]:
    chat = Chat.create(OWNER, {"title": "Cells", "course_id": COURSE}, ASKED)
    chat.collect_events()
    question = {"content": "What is ATP?", "message_type": "question",
                "context_documents": [str(RUN)]}  # fmt: skip
    answer = {"content": "Energy.", "ai_model_used": "aksio-offline", "token_count": 2,
              "prompt_tokens": 30, "processing_time_ms": 12,
              "context_used": {"documents_referenced": [str(RUN)], "passages": []}}  # fmt: skip
    chat.exchange(question, answer, ASKED, NOW)
    chat.add_context({"context_type": "notes", "content": "Be brief.", "document_ids": [],
                      "priority": "high", "expires_at": LATER}, NOW)  # fmt: skip
    return list(chat.collect_events())


def document_events() -> list[DomainEventProtocol[UUID]]:
    document = Document(owner_id=OWNER, course_id=COURSE, section_id=None, name="Notes",
                        description=None, source_type="upload", source_url=None, url_type=None,
                        document_type="text")  # fmt: skip
    document.collect_events()
    document.request_processing(RUN, "upload")
    document.start(RUN)
    document.report_progress(RUN, 40, "extracting")
    result = {"extracted_text": "ATP is energy.", "summary": "ATP.", "topics": ["atp"],
              "key_concepts": ["ATP"], "sections": [{"start": 0, "end": 14}],
              "chunks": [{"start": 0, "end": 14}], "metadata": {"pages": 1}}  # fmt: skip
    document.complete(RUN, result)
    failed = Document(owner_id=OWNER, course_id=COURSE, section_id=None, name="Bad",
                      description=None, source_type="url", source_url="https://example.org/",
                      url_type="web_page", document_type="url")  # fmt: skip
    failed.collect_events()
    failed.request_processing(RUN, "import")
    failed.fail(RUN, "Not found.")
    return [*document.collect_events(), *failed.collect_events()]


def stored_forms(events: list[DomainEventProtocol[UUID]]) -> list[list[Any]]:
    """Each event's topic and stored state, as the store's mapper writes them."""
    mapper = EventStore(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper
    forms = []
    for domain_event in events:
        stored = mapper.to_stored_event(domain_event)
        state = json.loads(stored.state)
        state.update({k: "<random>" for k in RANDOM if k in state})
        forms.append([stored.topic, list(state.items())])
    return forms


# Written by the appliers as they were, before they took only what changes state.
EXPECTED: dict[str, Any] = {
    "chat": [
        [
            "aksio.chat.message_sent",
            [
                ["timestamp", "<random>"],
                ["message_id", "<random>"],
                ["content", "What is ATP?"],
                ["message_type", "question"],
                ["context_documents", ["00000000-0000-4000-8000-000000000003"]],
                ["sent_at", {"_type_": "datetime_iso", "_data_": "2026-01-02T03:04:05+00:00"}],
            ],
        ],
        [
            "aksio.chat.response_given",
            [
                ["timestamp", "<random>"],
                ["message_id", "<random>"],
                ["reply_to", "<random>"],
                ["content", "Energy."],
                ["ai_model_used", "aksio-offline"],
                ["token_count", 2],
                ["prompt_tokens", 30],
                ["processing_time_ms", 12],
                [
                    "context_used",
                    {
                        "documents_referenced": ["00000000-0000-4000-8000-000000000003"],
                        "passages": [],
                    },
                ],
                [
                    "answered_at",
                    {"_type_": "datetime_iso", "_data_": "2026-01-02T03:04:09.250000+00:00"},
                ],
            ],
        ],
        [
            "aksio.chat.context_added",
            [
                ["timestamp", "<random>"],
                ["context_id", "<random>"],
                ["context_type", "notes"],
                ["content", "Be brief."],
                ["document_ids", []],
                ["priority", "high"],
                ["expires_at", {"_type_": "datetime_iso", "_data_": "2026-02-01T00:00:00+00:00"}],
                [
                    "added_at",
                    {"_type_": "datetime_iso", "_data_": "2026-01-02T03:04:09.250000+00:00"},
                ],
            ],
        ],
    ],
    "document": [
        [
            "aksio.document.processing_requested",
            [
                ["timestamp", "<random>"],
                ["run_id", {"_type_": "uuid_hex", "_data_": "00000000000040008000000000000003"}],
                ["reason", "upload"],
            ],
        ],
        [
            "aksio.document.processing_started",
            [
                ["timestamp", "<random>"],
                ["run_id", {"_type_": "uuid_hex", "_data_": "00000000000040008000000000000003"}],
            ],
        ],
        [
            "aksio.document.processing_progressed",
            [
                ["timestamp", "<random>"],
                ["run_id", {"_type_": "uuid_hex", "_data_": "00000000000040008000000000000003"}],
                ["progress_percentage", 40],
                ["stage", "extracting"],
            ],
        ],
        [
            "aksio.document.processing_completed",
            [
                ["timestamp", "<random>"],
                ["run_id", {"_type_": "uuid_hex", "_data_": "00000000000040008000000000000003"}],
                ["extracted_text", "ATP is energy."],
                ["summary", "ATP."],
                ["topics", ["atp"]],
                ["key_concepts", ["ATP"]],
                ["sections", [{"start": 0, "end": 14}]],
                ["chunks", [{"start": 0, "end": 14}]],
                ["metadata", {"pages": 1}],
            ],
        ],
        [
            "aksio.document.processing_requested",
            [
                ["timestamp", "<random>"],
                ["run_id", {"_type_": "uuid_hex", "_data_": "00000000000040008000000000000003"}],
                ["reason", "import"],
            ],
        ],
        [
            "aksio.document.processing_failed",
            [
                ["timestamp", "<random>"],
                ["run_id", {"_type_": "uuid_hex", "_data_": "00000000000040008000000000000003"}],
                ["error", "Not found."],
            ],
        ],
    ],
}


@pytest.mark.parametrize("name", ["chat", "document"])
def test_events_store_the_same_topic_and_fields_in_the_same_order(name: str) -> None:
    events = {"chat": chat_events, "document": document_events}[name]()
    assert json.loads(json.dumps(stored_forms(events))) == EXPECTED[name]
