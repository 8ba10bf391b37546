"""Routes of the learning context: `router` carries them all.

That includes the activity dashboard, which lives under `/api/v1/accounts/dashboard/`.
"""

from __future__ import annotations

from fastapi import APIRouter

from aksio.api.routes.learning import goals, insights, plans, sessions

router = APIRouter()
for sub in (plans.router, goals.router, sessions.router, *insights.routers):
    router.include_router(sub)
