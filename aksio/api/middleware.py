"""ASGI middleware: request ids, trailing slashes, body size cap and rate limits."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aksio.integrations.ratelimit import RateLimiter

logger = logging.getLogger("aksio.api")
UNSLASHED = ("/health", "/openapi.json", "/docs", "/redoc", "/metrics")
UPLOADS = re.compile(r"/api/v1/courses/[^/]+/documents/(upload|upload_url)/")


def error_body(status: int, code: str, message: str, request_id: str) -> bytes:
    return json.dumps(
        {
            "error": message,
            "details": {},
            "error_code": code,
            "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "request_id": request_id,
        }
    ).encode()


class AksioMiddleware:
    def __init__(self, app: ASGIApp, limiter: RateLimiter, max_body: int, max_upload: int) -> None:
        self.app = app
        self.limiter = limiter
        self.max_body = max_body
        self.max_upload = max_upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        request_id = headers.get(b"x-request-id", b"").decode("latin-1")[:200] or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        path: str = scope["path"]
        if path.startswith("/api/") and not path.endswith("/"):
            scope["path"] = path + "/"
            scope["raw_path"] = scope["path"].encode()
        extra: list[tuple[bytes, bytes]] = [(b"x-request-id", request_id.encode("latin-1"))]

        async def reply(status: int, code: str, message: str, more: list[Any]) -> None:
            body = error_body(status, code, message, request_id)
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [(b"content-type", b"application/json"), *extra, *more],
                }
            )
            await send({"type": "http.response.body", "body": body})

        uploads = ("/upload", "/import", "/feedback")
        limit = self.max_upload if any(part in path for part in uploads) else self.max_body
        declared = headers.get(b"content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            await reply(413, "PAYLOAD_TOO_LARGE", "Request body is too large.", [])
            return

        if path.startswith("/api/"):
            user = self.limiter.user_of(headers)
            decision = self.limiter.hit_request(scope, user)
            if user is not None and decision.allowed and _is_upload(scope):
                # Counted before the body is read, so a refused upload costs no transfer.
                decision = decision.tighter(self.limiter.hit("upload", user))
            extra += decision.headers()
            if not decision.allowed:
                retry = [(b"retry-after", str(decision.retry_after).encode())]
                await reply(429, "RATE_LIMIT_EXCEEDED", "Rate limit exceeded.", retry)
                return

        received = 0

        async def capped_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge
            return message

        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        begin = time.perf_counter()
        try:
            await self.app(scope, capped_receive, send_with_headers)
        except _TooLarge:
            if not started:
                await reply(413, "PAYLOAD_TOO_LARGE", "Request body is too large.", [])
        except Exception:
            logger.exception("unhandled error on %s %s", scope.get("method"), path)
            if not started:
                await reply(500, "INTERNAL_ERROR", "Internal server error.", [])
        finally:
            scope["state"]["elapsed"] = time.perf_counter() - begin


def _is_upload(scope: Scope) -> bool:
    """The two routes AKSIO_RATE_LIMIT_UPLOAD counts (paths already end in a slash here)."""
    return scope["method"] == "POST" and UPLOADS.fullmatch(scope["path"]) is not None


class _TooLarge(HTTPException):
    """Raised from receive. FastAPI turns any other exception raised while it reads a body
    (chunked, so no Content-Length was checked) into 400; an HTTPException passes through to
    the error renderer as 413."""

    def __init__(self) -> None:
        super().__init__(413, "Request body is too large.")
