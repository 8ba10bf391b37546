"""The public form of stored events: types, ids, data and secrets."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.domain import Aggregate, event

from aksio.aggregates.courses.course import Course
from aksio.aggregates.flashcards.flashcard import Flashcard
from aksio.aggregates.quizzes.attempt import QuizAttempt
from aksio.core.public_events import (
    aggregate_type,
    event_id,
    public_type,
    public_type_of_topic,
    to_public,
)


class Vault(Aggregate):
    """A stand-in aggregate whose events carry secrets."""

    TOPIC = "aksio.test_vault"

    class Created(Aggregate.Created):
        TOPIC = "aksio.test_vault.created"
        owner_id: UUID
        password_hash: str
        settings: dict[str, Any]
        opened_on: date

    @event(Created)
    def __init__(
        self, owner_id: UUID, password_hash: str, settings: dict[str, Any], opened_on: date
    ) -> None:
        self.owner_id = owner_id


@pytest.mark.parametrize(
    ("event_class", "expected"),
    [
        (QuizAttempt.Completed, "quiz.attempt.completed"),
        (QuizAttempt.Created, "quiz.attempt.started"),
        (Flashcard.Reviewed, "flashcard.reviewed"),
        (Course.SectionAdded, "course.section_added"),
    ],
)
def test_public_types_are_dotted(event_class: type[Any], expected: str) -> None:
    assert public_type_of_topic(event_class.TOPIC) == expected


@pytest.mark.parametrize(
    ("topic", "expected"),
    [
        ("aksio.document.processing_completed", "document.processing.completed"),
        ("aksio.document.processing_failed", "document.processing.failed"),
        ("aksio.study_session.completed", "study_session.completed"),
        ("aksio.goal.completed", "goal.completed"),
        ("some.module:Thing.Happened", "thing.happened"),
    ],
)
def test_public_type_of_topic(topic: str, expected: str) -> None:
    assert public_type_of_topic(topic) == expected


def test_to_public_of_a_real_event() -> None:
    owner = uuid4()
    course = Course.create(owner, {"name": "Calculus", "start_date": date(2024, 1, 20)})
    course.add_section(uuid4(), {"title": "Limits"})
    created, added = course.collect_events()
    public = to_public(41, added)
    assert set(public) == {"id", "position", "type", "aggregate_id", "aggregate_type",
                           "version", "timestamp", "data"}  # fmt: skip
    assert public["position"] == 41 and public["version"] == 2
    assert public["type"] == public_type(added) == "course.section_added"
    assert public["aggregate_type"] == aggregate_type(created) == "course"
    assert public["aggregate_id"] == str(course.id)
    assert public["id"] == str(event_id(course.id, 2)) == to_public(99, added)["id"]
    assert public["id"] != to_public(40, created)["id"]
    assert public["data"] == {"section_id": str(added.section_id), "fields": {"title": "Limits"}}
    first = to_public(40, created)["data"]
    assert first == {"owner_id": str(owner),
                     "fields": {"name": "Calculus", "start_date": "2024-01-20"}}  # fmt: skip
    assert datetime.fromisoformat(public["timestamp"].replace("Z", "+00:00")).tzinfo is not None
    json.dumps(public)


def test_secrets_never_appear() -> None:
    vault = Vault(
        owner_id=uuid4(),
        password_hash="argon2$hash",
        settings={"api_secret": "s", "nested": [{"reset_token_hash": "t", "kept": 1}]},
        opened_on=date(2024, 1, 1),
    )
    (created,) = vault.collect_events()
    public = to_public(1, created)
    assert public["type"] == "test_vault.created" and public["aggregate_type"] == "test_vault"
    assert public["data"] == {
        "owner_id": str(vault.owner_id),
        "settings": {"nested": [{"kept": 1}]},
        "opened_on": "2024-01-01",
    }
    text = json.dumps(public)
    assert "argon2" not in text and "password" not in text and "token_hash" not in text


def test_timestamps_are_utc_with_z() -> None:
    updated = Course.Updated(
        originator_id=uuid4(),
        originator_version=2,
        timestamp=datetime(2024, 1, 20, 10, 0, tzinfo=UTC),
        changes={"exam_date": date(2024, 6, 1)},
    )
    public = to_public(2, updated)
    assert public["timestamp"] == "2024-01-20T10:00:00Z"
    assert public["data"] == {"changes": {"exam_date": "2024-06-01"}}


def test_bulky_fields_are_omitted_and_named() -> None:
    from uuid import uuid4

    from aksio.aggregates.courses.course import Course
    from aksio.core.public_events import MAX_DATA_BYTES, to_public

    course = Course.create(uuid4(), {"name": "big", "description": "x" * (MAX_DATA_BYTES + 10)})
    [created] = course.collect_events()
    public = to_public(7, created)
    assert public["data"]["fields"] is None
    assert public["data"]["_omitted"]["fields"] > MAX_DATA_BYTES
    assert public["data"]["owner_id"] == str(course.owner_id)
    small = Course.create(uuid4(), {"name": "small"})
    [event] = small.collect_events()
    assert "_omitted" not in to_public(8, event)["data"]
