"""uvicorn's httptools protocol with the limits it lacks: request-head size and read deadlines.

httptools buffers a header of any size, and uvicorn sets no timer until a first response is
sent, so a client could hold memory with an endless header or a connection (and its file
descriptor) for ever by sending half a request, or a body a byte at a time. So the head must
arrive within the read timeout, each piece of a body within the read timeout of the one
before, and a whole body at a minimum average rate: it may take the read timeout plus one
second per `min_body_rate` bytes received (as Apache's mod_reqtimeout does). Answers here are
written on the socket, before any ASGI app sees the request, in the API's error envelope.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from aksio.api.middleware import error_body


def limited_protocol(
    max_header_bytes: int, read_timeout_s: float, min_body_rate: float
) -> type[HttpToolsProtocol]:
    """The protocol class for `uvicorn.run(http=...)` with these limits."""
    limits = {"max_header_bytes": max_header_bytes, "read_timeout_s": read_timeout_s,
              "min_body_rate": min_body_rate}  # fmt: skip
    return type("LimitedHttpToolsProtocol", (LimitedHttpToolsProtocol,), limits)


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    max_header_bytes = 32 * 1024
    read_timeout_s = 10.0
    min_body_rate = 500.0  # bytes a second, on average over a whole body

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._read_timer: asyncio.TimerHandle | None = None
        self._head_open = False  # a request line has begun and its headers have not ended
        self._head_seen = 0  # bytes of the request line and complete headers, exactly
        self._head_raw = 0  # bytes of whole reads that arrived while the head stayed open
        self._refused = False  # answered and closing: the rest of the read is ignored
        self._rate_timer: asyncio.TimerHandle | None = None
        self._body_began = 0.0  # loop time the body began (moved on while the app paused it)
        self._body_received = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # uvicorn's keep-alive timer starts only after a response: cover the first request.
        self._arm(self._head_timed_out)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        self._stop_rate()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        began_before = self._head_open
        super().data_received(data)
        # A header still incomplete sits in httptools' buffer, unseen by the callbacks below;
        # count whole reads instead (all of such a read is head once the head had begun).
        if self._head_open and began_before and not self._refused:
            self._head_raw += len(data)
            if self._head_raw > self.max_header_bytes:
                self._refuse(431, "REQUEST_HEADER_FIELDS_TOO_LARGE", "Request headers too large.")

    # Parser callbacks: after a refusal the parser may go on through the read; nothing starts.
    def on_message_begin(self) -> None:
        if self._refused:
            return
        super().on_message_begin()
        self._head_open, self._head_seen, self._head_raw = True, 0, 0
        if self._read_timer is None:  # a later request on a kept-alive connection
            self._arm(self._head_timed_out)

    def on_url(self, url: bytes) -> None:
        if self._refused:
            return
        super().on_url(url)
        self._grow_head(len(url))

    def on_header(self, name: bytes, value: bytes) -> None:
        if self._refused:
            return
        super().on_header(name, value)
        self._grow_head(len(name) + len(value) + 4)

    def on_headers_complete(self) -> None:
        self._head_open = False
        if self._refused:
            return
        self._disarm()
        super().on_headers_complete()
        if self.cycle is not None and self.cycle.more_body:
            self._arm(self._body_timed_out)
            self._body_began, self._body_received = self.loop.time(), 0
            self._rate_timer = self.loop.call_later(self.read_timeout_s, self._body_rate_check)

    def on_body(self, body: bytes) -> None:
        if self._refused:
            return
        super().on_body(body)
        self._body_received += len(body)
        if self._read_timer is not None:
            self._arm(self._body_timed_out)  # the body keeps coming: restart the wait

    def on_message_complete(self) -> None:
        if self._refused:
            return
        super().on_message_complete()
        self._disarm()
        self._stop_rate()

    # Limits.
    def _grow_head(self, size: int) -> None:
        self._head_seen += size
        if self._head_seen > self.max_header_bytes and not self._refused:
            self._refuse(431, "REQUEST_HEADER_FIELDS_TOO_LARGE", "Request headers too large.")

    def _head_timed_out(self) -> None:
        self._read_timer = None
        self._refuse(408, "REQUEST_TIMEOUT", "The request was not received in time.")

    def _body_timed_out(self) -> None:
        self._read_timer = None
        if self.flow.read_paused:
            # uvicorn stopped reading because the app has not asked for more: not the client.
            self._arm(self._body_timed_out)
            return
        self._refuse(408, "REQUEST_TIMEOUT", "The request body stopped arriving.")

    def _body_rate_check(self) -> None:
        self._rate_timer = None
        now = self.loop.time()
        if self.flow.read_paused:
            # The app has not asked for more: not the client's time. Count it as having kept
            # the minimum rate until now.
            credited = now - self._body_received / self.min_body_rate
            self._body_began = max(self._body_began, credited)
        allowed = self._body_began + self.read_timeout_s + self._body_received / self.min_body_rate
        if now < allowed:
            self._rate_timer = self.loop.call_later(allowed - now, self._body_rate_check)
            return
        self._refuse(408, "REQUEST_TIMEOUT", "The request body arrived too slowly.")

    def _stop_rate(self) -> None:
        if self._rate_timer is not None:
            self._rate_timer.cancel()
            self._rate_timer = None

    def _arm(self, callback: Any) -> None:
        self._disarm()
        self._read_timer = self.loop.call_later(self.read_timeout_s, callback)

    def _disarm(self) -> None:
        if self._read_timer is not None:
            self._read_timer.cancel()
            self._read_timer = None

    def _refuse(self, status: int, code: str, message: str) -> None:
        """Answer with the envelope unless the app already started a response, then close."""
        self._disarm()
        self._stop_rate()
        if self._refused or self.transport.is_closing():
            return
        self._refused = True
        cycle = self.cycle
        started = cycle is not None and not cycle.response_complete and cycle.response_started
        if cycle is not None and not cycle.response_complete:
            # The app (if it runs) now reads a disconnect and its answer goes nowhere.
            cycle.disconnected = True
            cycle.message_event.set()
        if not started:
            request_id = uuid.uuid4().hex
            body = error_body(status, code, message, request_id)
            head = [
                STATUS_LINE[status],
                b"content-type: application/json\r\n",
                b"content-length: %d\r\n" % len(body),
                b"x-request-id: " + request_id.encode() + b"\r\n",
                b"connection: close\r\n\r\n",
            ]
            self.transport.write(b"".join(head) + body)
        self.transport.close()
