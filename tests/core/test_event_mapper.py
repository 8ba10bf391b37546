"""The store's `EventMapper` (and its `_uuid_from_hex`) reach into the library's internals to
decode faster: each stored event must decode to what the library's own `Mapper` makes of it."""

from __future__ import annotations

import importlib
import pkgutil
import types
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Union, get_args, get_origin, get_type_hints
from uuid import UUID

from eventsourcing.domain import Aggregate, CanMutateAggregate
from eventsourcing.persistence import Mapper, StoredEvent
from fastapi.testclient import TestClient

import aksio.aggregates
from aksio.bootstrap import System
from aksio.core.store import EventMapper, EventStore
from tests.ai.support import assessment, course, generate, send, upload
from tests.ai.support import chat as make_chat
from tests.core.test_transcoder import same
from tests.quizzes.support import answer, complete, ok, start

SAMPLES: dict[Any, Any] = {
    UUID: UUID("0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"),
    str: "text",
    int: 7,
    float: 0.25,
    bool: True,
    datetime: datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=UTC),
    date: date(2026, 3, 4),
    Decimal: Decimal("12.50"),
    Any: {"nested": [1, "two", None]},
}


def both_ways(store: EventStore, stored: StoredEvent) -> tuple[Any, Any]:
    ours = store.mapper
    assert isinstance(ours, EventMapper)
    library = Mapper[UUID](transcoder=ours.transcoder)
    return ours.to_domain_event(stored), library.to_domain_event(stored)


def assert_same(ours: Any, theirs: Any) -> None:
    assert type(ours) is type(theirs)
    assert same(ours.__dict__, theirs.__dict__), (ours, theirs)


def event_classes() -> list[type[Any]]:
    """Every stored event class (one with a TOPIC) of every aggregate under
    `aksio.aggregates`."""
    found: dict[str, type[Any]] = {}
    for info in pkgutil.walk_packages(aksio.aggregates.__path__, "aksio.aggregates."):
        module = importlib.import_module(info.name)
        for aggregate in vars(module).values():
            if isinstance(aggregate, type) and issubclass(aggregate, Aggregate):
                for value in vars(aggregate).values():
                    stored = isinstance(value, type) and getattr(value, "TOPIC", None)
                    if stored and issubclass(value, CanMutateAggregate):
                        found[f"{value.__module__}.{value.__qualname__}"] = value
    return list(found.values())


def sample(hint: Any) -> Any:
    """A value of the annotated type (the first choice of a union; None only when it is all)."""
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        return sample(next(a for a in get_args(hint) if a is not type(None)))
    if origin is list or origin is tuple:
        return [sample(get_args(hint)[0])]
    if origin is dict:
        return {"key": SAMPLES[UUID], "when": SAMPLES[datetime], "n": 1}
    return SAMPLES.get(hint, SAMPLES[Any])


def test_every_event_class_decodes_as_the_library_decodes_it() -> None:
    store = EventStore(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    classes = event_classes()
    assert len(classes) > 50  # the walk found the aggregates' events
    for cls in classes:
        hints = get_type_hints(cls)
        values = {name: sample(hints[name]) for name in cls.__dataclass_fields__}
        values.update(originator_id=SAMPLES[UUID], originator_version=3)
        stored = store.mapper.to_stored_event(cls(**values))
        ours, theirs = both_ways(store, stored)
        assert_same(ours, theirs)
        assert ours.originator_id == SAMPLES[UUID]


def scenario(client: TestClient, system: System) -> None:
    """Most contexts once: accounts, courses, documents, generation, cards, quizzes, chat."""
    account = {"email": "ada@example.com", "password": "correct horse battery staple"}
    tokens = ok(client.post("/api/v1/accounts/register/", json=account), 201)
    auth = {"Authorization": f"Bearer {tokens['access']}"}
    course_id = course(client, auth)
    ok(client.post(f"/api/v1/courses/{course_id}/sections/", json={"title": "Cells"},
                   headers=auth), 201)  # fmt: skip
    upload(client, system, auth, course_id)
    made = ok(generate(client, auth, assessment(client, auth, course_id), topic="cells"))
    card = made["generated_content"]["flashcards"]["flashcards"][0]["id"]
    cards = "/api/v1/assessments/flashcards"
    ok(client.post(f"{cards}/{card}/review/", json={"quality_response": 4}, headers=auth))
    ok(client.post(f"{cards}/{card}/undo_review/", headers=auth))
    quiz_id = made["generated_content"]["quiz"]["quiz_id"]
    attempt_id = start(client, auth, quiz_id)["attempt_id"]
    quiz = ok(client.get(f"/api/v1/assessments/quizzes/{quiz_id}/", headers=auth))
    question = next(q for q in quiz["questions"] if q["options"])
    ok(answer(client, auth, attempt_id, question=question["id"],
              selected_options=[question["options"][0]["id"]]))  # fmt: skip
    ok(complete(client, auth, attempt_id))
    chat_id = make_chat(client, auth, course=course_id)["id"]
    ok(send(client, auth, chat_id, "What do mitochondria make?"), 201)
    ok(client.patch("/api/v1/accounts/profile/", json={"scheduler": "fsrs"}, headers=auth))
    system.drain()


def test_real_stored_events_decode_as_the_library_decodes_them(
    client: TestClient, system: System
) -> None:
    scenario(client, system)
    stored = system.store.read(after=0, limit=10_000)
    topics = {n.topic for n in stored}
    for wanted in ("aksio.user.profile_updated", "aksio.flashcard.reviewed",
                   "aksio.chat.response_given", "aksio.document.processing_completed"):  # fmt: skip
        assert wanted in topics
    for notification in stored:
        ours, theirs = both_ways(system.store, notification)
        assert_same(ours, theirs)
