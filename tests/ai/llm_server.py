"""A small OpenAI-compatible server on loopback: `/v1/chat/completions`, scripted per request."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODEL = "tiny-tutor"
USAGE = {"prompt_tokens": 321, "completion_tokens": 45, "total_tokens": 366}


@dataclass
class Reply:
    content: str = ""
    status: int = 200
    delay: float = 0.0
    stream: list[str] | None = None  # pieces of a streamed answer


def completion(content: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": MODEL,
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": content}}],
        "usage": USAGE,
    }  # fmt: skip


def chunk(content: str | None, usage: dict[str, int] | None = None) -> bytes:
    choices = [] if content is None else [
        {"index": 0, "delta": {"content": content}, "finish_reason": None}
    ]  # fmt: skip
    body = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 0,
            "model": MODEL, "choices": choices, "usage": usage}  # fmt: skip
    return b"data: " + json.dumps(body).encode() + b"\n\n"


@dataclass
class LlmServer:
    """Answers each request with the next scripted reply (then the last one again)."""

    script: list[Reply] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    def next_reply(self) -> Reply:
        return self.script.pop(0) if len(self.script) > 1 else self.script[0]


def _handler(server: LlmServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            return None

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            server.requests.append({"path": self.path, **body})
            reply = server.next_reply()
            time.sleep(reply.delay)
            if reply.stream is not None:
                self._stream(reply.stream)
                return
            failure = {"error": {"message": "boom", "type": "server_error"}}
            payload = json.dumps(completion(reply.content) if reply.status == 200 else failure)
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload.encode())))
            self.end_headers()
            self.wfile.write(payload.encode())

        def _stream(self, pieces: list[str]) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for piece in pieces:
                self.wfile.write(chunk(piece))
            self.wfile.write(chunk(None, USAGE) + b"data: [DONE]\n\n")

    return Handler


@contextmanager
def llm_server(*script: Reply) -> Iterator[LlmServer]:
    state = LlmServer(list(script))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
