"""One measurement per request, two uses: the latency histogram of `/metrics` and the access
log record (request id, user, route, status, duration: see `aksio.logs`)."""

from __future__ import annotations

import logging
import time

from prometheus_client import Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("aksio.access")


class Observe:
    def __init__(self, app: ASGIApp, latency: Histogram) -> None:
        self.app = app
        self.latency = latency

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
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
            elapsed = time.perf_counter() - began
            route = getattr(scope.get("route"), "path", None)
            method = str(scope.get("method", ""))
            self.latency.labels(method, route or "(unmatched)", str(status[0])).observe(elapsed)
            if logger.isEnabledFor(logging.INFO):
                _log(scope, method, route, status[0], elapsed)


def _log(scope: Scope, method: str, route: str | None, status: int, elapsed: float) -> None:
    state = scope.get("state") or {}
    user = state.get("user_id")
    logger.info(
        "%s %s %s",
        method,
        scope.get("path"),
        status,
        extra={
            "request_id": state.get("request_id"),
            "user_id": str(user) if user is not None else None,
            "method": method,
            "route": route,
            "status": status,
            "duration_ms": round(elapsed * 1000, 2),
        },
    )
