"""Admission control: a bounded number of requests in flight; the rest answer 503 quickly.

Each request in flight may hold a worker thread and a pooled connection (a
read, a command's event-store connection, a read-your-writes wait of up to
`read_your_writes_timeout_s`). Admitting no more than the thread limiter and
the request pool can serve means a request never waits for a thread while it
holds a connection or the other way round, and under a database stall the
work piles up here, where a request waits at most `admission_wait_s` for a
slot and then answers 503 `SERVICE_UNAVAILABLE` with `Retry-After`, instead
of in the pools, where it would hang. `/health` is never held back.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Receive, Scope, Send

from aksio.api.middleware import error_body
from aksio.projections.engine.db import API_POOL_SIZE
from aksio.settings import Settings

THREAD_TOKENS = 40  # AnyIO's default limiter, which runs every plain `def` route
# Connections of the request pool that are not requests': the reactors, and the routes
# that open a second one (a chat stream's reply).
RESERVED = 4
RETRY_AFTER_S = 1
EXEMPT = ("/health",)
BUSY = "The server is busy or its database is slow; retry shortly."


def in_flight_limit(settings: Settings) -> int:
    """`max_in_flight` when set; else what both the threads and the request pool serve."""
    if settings.max_in_flight is not None:
        return settings.max_in_flight
    return min(THREAD_TOKENS, 2 * API_POOL_SIZE) - RESERVED


class Admission:
    """ASGI middleware: at most `limit` HTTP requests run; one waits `wait_s` for a slot."""

    def __init__(self, app: ASGIApp, limit: int, wait_s: float) -> None:
        self.app = app
        self.limit = limit
        self.wait_s = wait_s
        self._slots: asyncio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in EXEMPT:
            await self.app(scope, receive, send)
            return
        if self._slots is None:  # created on the serving event loop
            self._slots = asyncio.Semaphore(self.limit)
        if not await self._admit(self._slots):
            await self._refuse(scope, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self._slots.release()

    async def _admit(self, slots: asyncio.Semaphore) -> bool:
        if not slots.locked():
            await slots.acquire()  # a free slot: taken at once
            return True
        if self.wait_s <= 0:
            return False
        try:
            async with asyncio.timeout(self.wait_s):
                await slots.acquire()
        except TimeoutError:
            return False
        return True

    async def _refuse(self, scope: Scope, send: Send) -> None:
        request_id = str(scope.get("state", {}).get("request_id", ""))
        headers = [
            (b"content-type", b"application/json"),
            (b"retry-after", str(RETRY_AFTER_S).encode()),
        ]
        await send({"type": "http.response.start", "status": 503, "headers": headers})
        body = error_body(503, "SERVICE_UNAVAILABLE", BUSY, request_id)
        await send({"type": "http.response.body", "body": body})
