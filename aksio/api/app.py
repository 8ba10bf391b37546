"""The FastAPI application: middleware, error renderer, routers and health."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse

from aksio.api import errors, metrics, openapi
from aksio.api.admission import Admission, in_flight_limit
from aksio.api.health import HealthProbe
from aksio.api.held import refuse_held_back
from aksio.api.middleware import AksioMiddleware
from aksio.api.routes import (
    accounts,
    assessments,
    audit,
    billing,
    chat,
    courses,
    documents,
    flashcards,
    generation,
    learning,
    quizzes,
    webhooks,
)
from aksio.bootstrap import System

_HEALTH = {
    "type": "object",
    "required": ["status"],
    "properties": {
        "status": {"type": "string", "enum": ["ok", "degraded"]},
        "database": {"type": "string"},
        "head": {"type": "integer"},
        "projections": {"type": "object"},
        "problems": {"type": "array", "items": {"type": "object"}},
    },
}
HEALTH_ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {"description": "Everything works.", "content": {"application/json": {"schema": _HEALTH}}},
    503: {
        "description": "Degraded: the database is unreachable or unresponsive, or a projection "
        "or reactor is failing or holds a quarantine (`problems` says which). A load balancer "
        "should take the instance out until it answers 200.",
        "content": {"application/json": {"schema": _HEALTH}},
    },
}
MAX_UPLOAD_BYTES = 50 * 1024 * 1024 + 64 * 1024  # the file limit plus multipart overhead


def create_app(system: System) -> FastAPI:
    app = FastAPI(
        dependencies=[Depends(refuse_held_back)],
        title="Aksio API",
        version="1.0.0",
        description="Event-sourced backend for AI-assisted studying. Errors use one "
        "envelope: `error`, `details`, `error_code`, `timestamp`, `request_id`.",
    )
    app.state.system = system
    errors.install(app)
    limit, wait_s = in_flight_limit(system.settings), system.settings.admission_wait_s
    app.add_middleware(Admission, limit=limit, wait_s=wait_s)  # inside: ids, size, rates
    app.add_middleware(
        AksioMiddleware,
        limiter=system.limiter,
        max_body=system.settings.max_body_bytes,
        max_upload=MAX_UPLOAD_BYTES,
    )
    metrics.install(app, system)
    # A request is matched against the routes in this order, so the most frequent (reviews)
    # come first; no path of one router matches another's (flashcards before assessments).
    routers = (flashcards, accounts, courses, documents, quizzes, assessments, audit)
    for module in (*routers, learning, billing, webhooks, chat, generation):
        app.include_router(module.router)
    openapi.install(app)

    probe = HealthProbe(system)

    @app.get("/health", tags=["health"], responses=HEALTH_ANSWERS)
    async def health() -> JSONResponse:
        """Database, projections (position, lag) and reactors: 200 ok, or 503 degraded."""
        status, body = await probe.report()
        return JSONResponse(body, status_code=status)

    return app
