"""Handlers, not routes, keep users apart: a command naming another user's course or
document is refused as missing, whoever sends it, and stores nothing."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import pytest

from aksio.aggregates.flashcards.review_log import ImportedCard
from aksio.bootstrap import System
from aksio.commands.assessments import CreateAssessment
from aksio.commands.bus import Command
from aksio.commands.chat import AddChatContext, CreateChat, CreateTutoringSession
from aksio.commands.courses import CreateCourse
from aksio.commands.flashcard_imports import ImportReviewLog
from aksio.commands.flashcards import CreateFlashcard, UpdateFlashcard
from aksio.commands.quizzes import CreateQuiz
from aksio.core.errors import NotFound, ValidationFailed

CARD = {"question": "Q", "answer": "A", "difficulty_level": "medium", "tags": []}


def _course(system: System, owner: UUID) -> UUID:
    course_id: UUID = system.bus.dispatch(CreateCourse(owner_id=owner, fields={"name": "C"})).value
    return course_id


def _commands(owner: UUID, course: UUID, system: System) -> list[Command[Any]]:
    return [
        CreateFlashcard(owner_id=owner, fields={**CARD, "course_id": course}),
        ImportReviewLog(owner_id=owner, cards=(ImportedCard("c1"),), course_id=course),
        CreateQuiz(owner_id=owner, course_id=course, fields={"title": "Q"}),
        CreateAssessment(owner_id=owner, course_id=course, fields={"title": "A"}),
        CreateChat(owner_id=owner, fields={"title": "T", "course_id": course}),
        CreateTutoringSession(owner_id=owner, fields={"title": "T", "course_id": course}),
    ]


@pytest.mark.parametrize("index", range(6))
def test_another_users_course_is_not_found_and_nothing_is_stored(
    index: int, system: System
) -> None:
    owner, intruder = uuid4(), uuid4()
    course = _course(system, owner)
    head = system.store.head()
    command = _commands(intruder, course, system)[index]
    with pytest.raises(NotFound):
        system.bus.dispatch(command)
    assert system.store.head() == head
    system.bus.dispatch(_commands(owner, course, system)[index])  # the owner may
    assert system.store.head() > head


def test_moving_a_card_to_another_users_course_is_not_found(system: System) -> None:
    owner, other = uuid4(), uuid4()
    mine = _course(system, owner)
    card = system.bus.dispatch(CreateFlashcard(owner_id=owner, fields={**CARD, "course_id": mine}))
    move = {"course_id": _course(system, other)}
    head = system.store.head()
    with pytest.raises(NotFound):
        system.bus.dispatch(UpdateFlashcard(owner_id=owner, flashcard_id=card.value, changes=move))
    assert system.store.head() == head


def test_a_chat_context_with_a_missing_document_is_not_found(system: System) -> None:
    owner = uuid4()
    chat = system.bus.dispatch(CreateChat(owner_id=owner, fields={"title": "T"})).value
    head = system.store.head()
    fields = {"context_type": "document", "content": None, "document_ids": [str(uuid4())],
              "priority": "medium", "expires_at": None}  # fmt: skip
    with pytest.raises(NotFound):
        system.bus.dispatch(AddChatContext(owner_id=owner, chat_id=chat, fields=fields))
    assert system.store.head() == head


@pytest.mark.parametrize(
    "fields", [{"question": None}, {"answer": None}, {"difficulty_level": None}, {"tags": None}]
)
def test_a_card_refuses_nulls_its_read_model_cannot_hold(
    fields: dict[str, Any], system: System
) -> None:
    owner = uuid4()
    head = system.store.head()
    with pytest.raises(ValidationFailed):
        system.bus.dispatch(CreateFlashcard(owner_id=owner, fields={**CARD, **fields}))
    assert system.store.head() == head
