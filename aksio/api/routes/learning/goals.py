"""Learning goals of study plans: CRUD, progress, completion and resources."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from aksio.api.deps import Bus, CurrentUser, Paging, Reads
from aksio.api.routes.learning.common import goal_row, page_of
from aksio.api.schemas.common import ERRORS, PageOut
from aksio.api.schemas.learning.crud import (
    GoalCreate,
    GoalOut,
    GoalResourcesOut,
    GoalUpdate,
    ProgressUpdate,
)
from aksio.commands.learning import (
    CompleteGoal,
    CreateGoal,
    DeleteGoal,
    UpdateGoal,
    UpdateGoalProgress,
)
from aksio.projections.learning import queries as q
from aksio.projections.learning.resources import goal_resources

router = APIRouter(prefix="/api/v1/learning/goals", tags=["learning"], responses=ERRORS)


def _out(reads: Reads, user: UUID, goal_id: UUID) -> GoalOut:
    return GoalOut.from_row(goal_row(reads, user, goal_id))


@router.post("/", status_code=201, response_model=GoalOut)
def create_goal(body: GoalCreate, user: CurrentUser, bus: Bus, reads: Reads) -> GoalOut:
    """Add a goal to one of your study plans; prerequisites must be goals of that plan."""
    fields = body.model_dump(exclude={"study_plan", "prerequisites"})
    goal_id = bus.run(
        CreateGoal(
            owner_id=user, plan_id=body.study_plan, fields=fields, prerequisites=body.prerequisites
        )
    )
    return _out(reads, user, goal_id)


@router.get("/", response_model=PageOut[GoalOut])
def list_goals(
    request: Request,
    user: CurrentUser,
    reads: Reads,
    paging: Paging,
    study_plan: UUID | None = None,
    status: Literal["not_started", "in_progress", "completed"] | None = None,
) -> PageOut[GoalOut]:
    """List your goals, oldest first."""
    page = q.list_goals(
        reads, user, paging.page, paging.page_size, plan_id=study_plan, status=status
    )
    return page_of(request, page, GoalOut.from_row)


@router.get("/{goal_id}/", response_model=GoalOut)
def get_goal(goal_id: UUID, user: CurrentUser, reads: Reads) -> GoalOut:
    """Show one goal."""
    return _out(reads, user, goal_id)


@router.patch("/{goal_id}/", response_model=GoalOut)
def update_goal(
    goal_id: UUID, body: GoalUpdate, user: CurrentUser, bus: Bus, reads: Reads
) -> GoalOut:
    """Change a goal; new prerequisites must be goals of its plan and must not form a cycle."""
    changes = body.model_dump(exclude_unset=True)
    prerequisites = changes.pop("prerequisites", None)
    bus.run(
        UpdateGoal(owner_id=user, goal_id=goal_id, changes=changes, prerequisites=prerequisites)
    )
    return _out(reads, user, goal_id)


@router.delete("/{goal_id}/", status_code=204, response_class=Response)
def delete_goal(goal_id: UUID, user: CurrentUser, bus: Bus) -> Response:
    """Delete a goal; goals that needed it no longer wait for it."""
    bus.run(DeleteGoal(owner_id=user, goal_id=goal_id))
    return Response(status_code=204)


@router.post("/{goal_id}/update_progress/", response_model=GoalOut)
def update_progress(
    goal_id: UUID, body: ProgressUpdate, user: CurrentUser, bus: Bus, reads: Reads
) -> GoalOut:
    """Record the goal's progress; 100 completes it, a completed goal answers 409."""
    bus.run(
        UpdateGoalProgress(
            owner_id=user,
            goal_id=goal_id,
            progress_percentage=body.progress_percentage,
            notes=body.notes,
        )
    )
    return _out(reads, user, goal_id)


@router.post("/{goal_id}/complete/", response_model=GoalOut)
def complete_goal(goal_id: UUID, user: CurrentUser, bus: Bus, reads: Reads) -> GoalOut:
    """Mark the goal completed (at 100 %); completing it again changes nothing."""
    bus.run(CompleteGoal(owner_id=user, goal_id=goal_id))
    return _out(reads, user, goal_id)


@router.get("/{goal_id}/resources/", response_model=GoalResourcesOut)
def resources(
    goal_id: UUID,
    user: CurrentUser,
    reads: Reads,
    limit: Annotated[int, Query(ge=1, le=50, description="Most resources to return.")] = 10,
) -> GoalResourcesOut:
    """Your documents on the goal's key concepts first, then curated resources."""
    goal = goal_row(reads, user, goal_id)
    plan = q.get_plan(reads, user, goal["plan_id"])
    course_id = plan["course_id"] if plan else None
    return GoalResourcesOut.model_validate(goal_resources(reads, user, goal, course_id, limit))
