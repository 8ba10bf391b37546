"""Assessments: what AI generation fills for a course."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request, Response
from sqlalchemy.engine import Connection

from aksio.aggregates.quizzes.questions import hide_answer_key
from aksio.api.deps import Bus, CurrentUser, Paging, Reads, page_links
from aksio.api.schemas.assessments import AssessmentCreate, AssessmentOut, AssessmentUpdate
from aksio.api.schemas.common import ERRORS, PageOut
from aksio.commands.assessments import CreateAssessment, DeleteAssessment, UpdateAssessment
from aksio.core.errors import NotFound
from aksio.projections import assessments as q
from aksio.projections.courses import get_course
from aksio.projections.engine.base import Row
from aksio.projections.quizzes import answers_hidden

# Included after the flashcards and quizzes routers, so their paths win over `{id}`.
router = APIRouter(prefix="/api/v1/assessments", tags=["assessments"], responses=ERRORS)


def shown(reads: Connection, user: UUID, row: Row) -> AssessmentOut:
    """The assessment as its owner sees it: while an attempt at its generated quiz runs,
    the quiz's answer key (correct answers, explanations, sources) is left out."""
    quiz_id = q.quiz_of(row)
    if quiz_id is not None and answers_hidden(reads, user, quiz_id):
        content = row["generated_content"]
        row = {**row, "generated_content": {**content, "quiz": hide_answer_key(content["quiz"])}}
    return AssessmentOut.model_validate(row)


def _assessment(reads: Connection, user: UUID, assessment_id: UUID) -> AssessmentOut:
    row = q.get_assessment(reads, user, assessment_id)
    if row is None:
        raise NotFound("Assessment")
    return shown(reads, user, row)


@router.post("/", status_code=201, response_model=AssessmentOut)
def create_assessment(
    body: AssessmentCreate, user: CurrentUser, bus: Bus, reads: Reads
) -> AssessmentOut:
    """Create an assessment of one of your courses, for generation to fill."""
    if get_course(reads, user, body.course) is None:
        raise NotFound("Course")
    fields = body.model_dump(exclude={"course"})
    command = CreateAssessment(owner_id=user, course_id=body.course, fields=fields)
    return _assessment(reads, user, bus.run(command))


@router.get("/", response_model=PageOut[AssessmentOut])
def list_assessments(
    request: Request, user: CurrentUser, reads: Reads, paging: Paging, course: UUID | None = None
) -> PageOut[AssessmentOut]:
    """List your assessments, oldest first; filter by `course`."""
    page = q.list_assessments(reads, user, paging.page, paging.page_size, course)
    return PageOut[AssessmentOut](
        count=page.count,
        results=[shown(reads, user, row) for row in page.rows],
        **page_links(request, page.page, page.has_next),
    )


@router.get("/{assessment_id}/", response_model=AssessmentOut)
def get_assessment(assessment_id: UUID, user: CurrentUser, reads: Reads) -> AssessmentOut:
    """Show an assessment with what was generated for it (without the quiz's answer key
    while an attempt at that quiz is in progress)."""
    return _assessment(reads, user, assessment_id)


@router.patch("/{assessment_id}/", response_model=AssessmentOut)
def update_assessment(
    assessment_id: UUID, body: AssessmentUpdate, user: CurrentUser, bus: Bus, reads: Reads
) -> AssessmentOut:
    """Change an assessment's title or description."""
    changes = body.model_dump(exclude_unset=True)
    if changes.get("title", "") is None:
        del changes["title"]
    bus.run(UpdateAssessment(owner_id=user, assessment_id=assessment_id, changes=changes))
    return _assessment(reads, user, assessment_id)


@router.delete("/{assessment_id}/", status_code=204, response_class=Response)
def delete_assessment(assessment_id: UUID, user: CurrentUser, bus: Bus) -> Response:
    """Delete an assessment (the cards and quiz it generated stay)."""
    bus.run(DeleteAssessment(owner_id=user, assessment_id=assessment_id))
    return Response(status_code=204)
