"""Commands of the assessments context (generation adds its own command later)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from aksio.aggregates.assessments.assessment import Assessment
from aksio.commands.bus import Command, Handler, UnitOfWork
from aksio.commands.references import own_course


@dataclass(frozen=True, kw_only=True)
class CreateAssessment(Command[UUID]):
    owner_id: UUID
    course_id: UUID
    fields: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class UpdateAssessment(Command[None]):
    owner_id: UUID
    assessment_id: UUID
    changes: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class DeleteAssessment(Command[None]):
    owner_id: UUID
    assessment_id: UUID


def load_assessment(uow: UnitOfWork, assessment_id: UUID, owner_id: UUID) -> Assessment:
    """The caller's assessment; NotFound when missing, foreign or deleted."""
    assessment = uow.load(Assessment, assessment_id, owner_id=owner_id)
    assessment.require_present()
    return assessment


def create_assessment(cmd: CreateAssessment, uow: UnitOfWork) -> UUID:
    own_course(uow, cmd.owner_id, cmd.course_id)
    assessment = Assessment.create(cmd.owner_id, cmd.course_id, cmd.fields)
    uow.save(assessment)
    return assessment.id


def update_assessment(cmd: UpdateAssessment, uow: UnitOfWork) -> None:
    assessment = load_assessment(uow, cmd.assessment_id, cmd.owner_id)
    assessment.update(cmd.changes)
    uow.save(assessment)


def delete_assessment(cmd: DeleteAssessment, uow: UnitOfWork) -> None:
    assessment = load_assessment(uow, cmd.assessment_id, cmd.owner_id)
    assessment.delete()
    uow.save(assessment)


HANDLERS: dict[type[Any], Handler] = {
    CreateAssessment: create_assessment,
    UpdateAssessment: update_assessment,
    DeleteAssessment: delete_assessment,
}
