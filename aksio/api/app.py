"""The FastAPI application: middleware, error renderer, routers and health."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse

from aksio.api import errors, metrics, openapi
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
from aksio.projections.positions import read_positions

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
    app.add_middleware(
        AksioMiddleware,
        limiter=system.limiter,
        max_body=system.settings.max_body_bytes,
        max_upload=MAX_UPLOAD_BYTES,
    )
    metrics.install(app, system)
    routers = (accounts, courses, documents, flashcards, quizzes, assessments, audit)
    for module in (*routers, learning, billing, webhooks, chat, generation):
        app.include_router(module.router)
    openapi.install(app)

    @app.get("/health", tags=["health"])
    def health() -> JSONResponse:
        """Liveness, database reachability and each projection's position and lag."""
        body: dict[str, Any] = {"status": "ok"}
        try:
            head = system.store.head()
            with system.engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
            positions = read_positions(system.engine)
        except Exception:
            return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
        body["database"] = "postgresql" if system.settings.uses_postgres else "sqlite"
        body["head"] = head
        body["projections"] = {
            p.name: {
                "position": positions.get(p.name, (0, 0))[0],
                "lag": head - positions.get(p.name, (0, 0))[0],
            }
            for p in system.projections
        }
        return JSONResponse(body)

    return app
