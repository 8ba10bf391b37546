"""Study sessions: start, complete (applying goal progress), CRUD and statistics."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Request, Response

from aksio.api.deps import Bus, CurrentUser, Now, Paging, Reads
from aksio.api.routes.learning.common import Zone, page_of, session_row
from aksio.api.schemas.common import ERRORS, IsoDate, PageOut
from aksio.api.schemas.learning.crud import (
    StudySessionComplete,
    StudySessionCreate,
    StudySessionOut,
    StudySessionUpdate,
)
from aksio.api.schemas.learning.reports import SessionStatsOut
from aksio.commands.learning import (
    CompleteStudySession,
    DeleteStudySession,
    StartStudySession,
    UpdateStudySession,
)
from aksio.core.errors import ValidationFailed
from aksio.projections.learning import queries as q
from aksio.projections.learning.analytics import session_stats

router = APIRouter(prefix="/api/v1/learning/study-sessions", tags=["learning"], responses=ERRORS)


def _out(reads: Reads, user: UUID, session_id: UUID) -> StudySessionOut:
    return StudySessionOut.from_row(session_row(reads, user, session_id))


@router.post("/", status_code=201, response_model=StudySessionOut)
def start_session(
    body: StudySessionCreate, user: CurrentUser, bus: Bus, reads: Reads
) -> StudySessionOut:
    """Start a study session now (`in_progress`)."""
    fields = body.model_dump(exclude={"study_plan"})
    session_id = bus.run(StartStudySession(owner_id=user, plan_id=body.study_plan, fields=fields))
    return _out(reads, user, session_id)


@router.get("/", response_model=PageOut[StudySessionOut])
def list_sessions(
    request: Request,
    user: CurrentUser,
    reads: Reads,
    paging: Paging,
    study_plan: UUID | None = None,
    status: Literal["in_progress", "completed"] | None = None,
) -> PageOut[StudySessionOut]:
    """List your study sessions, most recent first."""
    page = q.list_sessions(
        reads, user, paging.page, paging.page_size, plan_id=study_plan, status=status
    )
    return page_of(request, page, StudySessionOut.from_row)


@router.get("/stats/", response_model=SessionStatsOut)
def stats(
    user: CurrentUser,
    reads: Reads,
    now: Now,
    zone: Zone,
    start_date: IsoDate | None = None,
    end_date: IsoDate | None = None,
) -> SessionStatsOut:
    """Totals, hours of the day and streaks of your completed sessions (local dates, inclusive)."""
    if start_date and end_date and end_date < start_date:
        raise ValidationFailed.field("end_date", "End date must not be before start date.")
    figures = session_stats(reads, user, zone, now, start_date, end_date)
    return figures


@router.get("/{session_id}/", response_model=StudySessionOut)
def get_session(session_id: UUID, user: CurrentUser, reads: Reads) -> StudySessionOut:
    """Show one study session."""
    return _out(reads, user, session_id)


@router.patch("/{session_id}/", response_model=StudySessionOut)
def update_session(
    session_id: UUID, body: StudySessionUpdate, user: CurrentUser, bus: Bus, reads: Reads
) -> StudySessionOut:
    """Change a session's type, plan of work, notes, rating or topics."""
    changes = body.model_dump(exclude_unset=True)
    bus.run(UpdateStudySession(owner_id=user, session_id=session_id, changes=changes))
    return _out(reads, user, session_id)


@router.delete("/{session_id}/", status_code=204, response_class=Response)
def delete_session(session_id: UUID, user: CurrentUser, bus: Bus) -> Response:
    """Delete a session; it leaves every statistic and streak."""
    bus.run(DeleteStudySession(owner_id=user, session_id=session_id))
    return Response(status_code=204)


@router.post("/{session_id}/complete/", response_model=StudySessionOut)
def complete_session(
    session_id: UUID, body: StudySessionComplete, user: CurrentUser, bus: Bus, reads: Reads
) -> StudySessionOut:
    """End the session now and apply its progress updates (409 when already completed)."""
    updates = [(u.goal_id, u.progress_percentage) for u in body.progress_updates]
    bus.run(
        CompleteStudySession(
            owner_id=user,
            session_id=session_id,
            productivity_rating=body.productivity_rating,
            notes=body.notes,
            topics_covered=body.topics_covered,
            goals_worked_on=body.goals_worked_on,
            progress_updates=updates,
        )
    )
    return _out(reads, user, session_id)
