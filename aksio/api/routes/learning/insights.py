"""Learning analytics and the learner's activity dashboard."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from aksio.api.deps import CurrentUser, Now, Reads
from aksio.api.routes.learning.common import Zone, plan_row
from aksio.api.schemas.common import ERRORS
from aksio.api.schemas.learning.reports import (
    ActivityDashboardOut,
    OverviewOut,
    PathAnalysisOut,
    TrendsOut,
)
from aksio.projections.learning import analytics
from aksio.projections.learning.activity import activity_dashboard, learning_paths

analytics_router = APIRouter(
    prefix="/api/v1/learning/analytics", tags=["learning"], responses=ERRORS
)
activity_router = APIRouter(prefix="/api/v1/accounts", tags=["accounts"], responses=ERRORS)


@analytics_router.get("/overview/", response_model=OverviewOut)
def overview(
    user: CurrentUser,
    reads: Reads,
    now: Now,
    zone: Zone,
    days: Annotated[int, Query(ge=1, le=366, description="Local days, today included.")] = 30,
) -> OverviewOut:
    """Hours, goals, weekly progress, velocity and productive hours over the last `days` days."""
    return analytics.overview(reads, user, zone, now, days)


@analytics_router.get("/performance_trends/", response_model=TrendsOut)
def performance_trends(
    user: CurrentUser,
    reads: Reads,
    now: Now,
    zone: Zone,
    weeks: Annotated[int, Query(ge=1, le=104, description="Weeks, this one included.")] = 12,
) -> TrendsOut:
    """Week-by-week figures and how the recent weeks compare with the ones before."""
    return analytics.performance_trends(reads, user, zone, now, weeks)


@analytics_router.get("/learning_path_analysis/", response_model=PathAnalysisOut)
def learning_path_analysis(
    user: CurrentUser, reads: Reads, study_plan: UUID | None = None
) -> PathAnalysisOut:
    """Each plan's goal graph: recommended order, blocked goals, critical path, cycles."""
    if study_plan is not None:
        plan_row(reads, user, study_plan)
    return learning_paths(reads, user, study_plan)


@activity_router.get("/dashboard/", response_model=ActivityDashboardOut)
def dashboard(user: CurrentUser, reads: Reads, now: Now, zone: Zone) -> ActivityDashboardOut:
    """Your streak, this week's hours, goals done this month, deadlines and achievements."""
    return activity_dashboard(reads, user, zone, now)


routers = (analytics_router, activity_router)
