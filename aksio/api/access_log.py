"""One log record per request: id, user, route, status and duration (see `aksio.logs`)."""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("aksio.access")


class AccessLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not logger.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        status = [500]

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            state = scope.get("state") or {}
            route = getattr(scope.get("route"), "path", None)
            user = state.get("user_id")
            logger.info(
                "%s %s %s",
                scope.get("method"),
                scope.get("path"),
                status[0],
                extra={
                    "request_id": state.get("request_id"),
                    "user_id": str(user) if user is not None else None,
                    "method": scope.get("method"),
                    "route": route,
                    "status": status[0],
                    "duration_ms": round((time.perf_counter() - began) * 1000, 2),
                },
            )
