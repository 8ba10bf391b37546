"""Study plans: CRUD, the plans dashboard, schedules, progress and recommendations."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter, Request, Response

from aksio.aggregates.learning.localtime import local_day
from aksio.api.deps import Bus, CurrentUser, Now, Paging, Reads
from aksio.api.routes.learning.common import Zone, page_of, plan_row
from aksio.api.schemas.common import ERRORS, PageOut
from aksio.api.schemas.learning.crud import (
    ScheduleDay,
    ScheduleRequest,
    StudyPlanCreate,
    StudyPlanOut,
    StudyPlanUpdate,
)
from aksio.api.schemas.learning.reports import (
    PlanProgressOut,
    PlansDashboardOut,
    RecommendationsOut,
)
from aksio.commands.learning import CreateStudyPlan, DeleteStudyPlan, SaveSchedule, UpdateStudyPlan
from aksio.projections.learning import queries as q
from aksio.projections.learning import reports

router = APIRouter(prefix="/api/v1/learning/study-plans", tags=["learning"], responses=ERRORS)


def _fields(body: StudyPlanCreate | StudyPlanUpdate, *, unset: bool) -> dict[str, object]:
    fields = body.model_dump(exclude_unset=unset)
    if "course" in fields:
        fields["course_id"] = fields.pop("course")
    return fields


def _out(reads: Reads, user: UUID, plan_id: UUID) -> StudyPlanOut:
    return StudyPlanOut.from_row(plan_row(reads, user, plan_id))


@router.post("/", status_code=201, response_model=StudyPlanOut)
def create_plan(
    body: StudyPlanCreate, user: CurrentUser, bus: Bus, reads: Reads, now: Now, zone: Zone
) -> StudyPlanOut:
    """Create a study plan (starting today in your zone unless `start_date` says otherwise)."""
    fields = _fields(body, unset=False)
    fields["start_date"] = fields["start_date"] or local_day(now, zone)
    plan_id = bus.run(CreateStudyPlan(owner_id=user, fields=fields))
    return _out(reads, user, plan_id)


@router.get("/", response_model=PageOut[StudyPlanOut])
def list_plans(
    request: Request,
    user: CurrentUser,
    reads: Reads,
    paging: Paging,
    status: Literal["active", "paused", "completed", "archived"] | None = None,
    course: UUID | None = None,
) -> PageOut[StudyPlanOut]:
    """List your study plans, oldest first."""
    page = q.list_plans(reads, user, paging.page, paging.page_size, status=status, course_id=course)
    return page_of(request, page, StudyPlanOut.from_row)


@router.get("/dashboard/", response_model=PlansDashboardOut)
def dashboard(user: CurrentUser, reads: Reads, now: Now, zone: Zone) -> PlansDashboardOut:
    """Your plans at a glance: progress against dates, today's schedule, goals due next."""
    return reports.plans_dashboard(reads, user, now, zone)


@router.get("/{plan_id}/", response_model=StudyPlanOut)
def get_plan(plan_id: UUID, user: CurrentUser, reads: Reads) -> StudyPlanOut:
    """Show one study plan."""
    return _out(reads, user, plan_id)


@router.patch("/{plan_id}/", response_model=StudyPlanOut)
def update_plan(
    plan_id: UUID, body: StudyPlanUpdate, user: CurrentUser, bus: Bus, reads: Reads
) -> StudyPlanOut:
    """Change a study plan's fields or status."""
    bus.run(UpdateStudyPlan(owner_id=user, plan_id=plan_id, changes=_fields(body, unset=True)))
    return _out(reads, user, plan_id)


@router.delete("/{plan_id}/", status_code=204, response_class=Response)
def delete_plan(plan_id: UUID, user: CurrentUser, bus: Bus) -> Response:
    """Delete a study plan and its goals (study sessions stay in your history)."""
    bus.run(DeleteStudyPlan(owner_id=user, plan_id=plan_id))
    return Response(status_code=204)


UNSCHEDULED: dict[int | str, dict[str, Any]] = {
    200: {
        "headers": {
            "X-Unscheduled-Hours": {
                "description": "Goal hours that did not fit in the plan's remaining days.",
                "schema": {"type": "string"},
            }
        }
    }
}


@router.post(
    "/{plan_id}/generate_schedule/", response_model=list[ScheduleDay], responses=UNSCHEDULED
)
def generate_schedule(
    plan_id: UUID,
    body: ScheduleRequest,
    response: Response,
    user: CurrentUser,
    bus: Bus,
    reads: Reads,
    now: Now,
    zone: Zone,
) -> list[ScheduleDay]:
    """Lay the remaining goal hours out over the plan's remaining days (409 when none are left)."""
    plan = plan_row(reads, user, plan_id)
    schedule, parameters = reports.plan_schedule(reads, user, plan, now, zone, body.model_dump())
    if body.save_schedule:
        bus.run(
            SaveSchedule(
                owner_id=user,
                plan_id=plan_id,
                schedule=schedule.days,
                parameters=parameters,
                unscheduled_hours=schedule.unscheduled_hours,
            )
        )
    response.headers["X-Unscheduled-Hours"] = f"{schedule.unscheduled_hours:g}"
    return [ScheduleDay.model_validate(day) for day in schedule.days]


@router.get("/{plan_id}/schedule/", response_model=list[ScheduleDay])
def saved_schedule(plan_id: UUID, user: CurrentUser, reads: Reads) -> list[ScheduleDay]:
    """The schedule last saved on the plan (an empty list when none was saved)."""
    days = plan_row(reads, user, plan_id)["schedule"] or []
    return [ScheduleDay.model_validate(day) for day in days]


@router.get("/{plan_id}/progress/", response_model=PlanProgressOut)
def progress(
    plan_id: UUID, user: CurrentUser, reads: Reads, now: Now, zone: Zone
) -> PlanProgressOut:
    """How far the plan is against how far it should be by today."""
    figures = reports.plan_progress(reads, user, plan_row(reads, user, plan_id), now, zone)
    return figures


@router.get("/{plan_id}/recommendations/", response_model=RecommendationsOut)
def recommendations(
    plan_id: UUID, user: CurrentUser, reads: Reads, now: Now, zone: Zone
) -> RecommendationsOut:
    """What to do next, each with the figures that triggered it."""
    plan = plan_row(reads, user, plan_id)
    return reports.plan_recommendations(reads, user, plan, now, zone)
