"""A real loopback webhook receiver and a probe aggregate whose events have webhook types."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event


class Probe(Aggregate):
    """Stands in for any aggregate: its events carry the public types webhooks subscribe to."""

    TOPIC = "tests.webhooks:probe"

    class Created(Aggregate.Created):
        TOPIC = "tests.webhooks:probe.created"
        owner_id: UUID

    class Reviewed(Aggregate.Event):
        TOPIC = "tests.webhooks:flashcard.reviewed"
        quality: int

    class GoalCompleted(Aggregate.Event):
        TOPIC = "tests.webhooks:goal.completed"

    @event(Created)
    def __init__(self, owner_id: UUID) -> None:
        self.owner_id = owner_id

    @event(Reviewed)
    def review(self, quality: int) -> None:
        pass

    @event(GoalCompleted)
    def complete_goal(self) -> None:
        pass


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Answers each path with its scripted statuses in turn (200 once the script ends).

    `hang` never answers within any sane time-out; `huge` promises 5 GB and streams it.
    """

    base: str = ""
    script: dict[str, list[Any]] = field(default_factory=dict)
    requests: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def at(self, path: str) -> list[Received]:
        with self.lock:
            return [r for r in self.requests if r.path == path]

    def next_answer(self, path: str) -> Any:
        with self.lock:
            queue = self.script.get(path, [])
            return queue.pop(0) if queue else 200


def serve(receiver: Receiver) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            with receiver.lock:
                received = Received(
                    self.path, {k.lower(): v for k, v in self.headers.items()}, body
                )
                receiver.requests.append(received)
            answer = receiver.next_answer(self.path)
            if answer == "hang":
                time.sleep(3)
                return
            if answer == "huge":
                self.send_response(200)
                self.send_header("content-length", str(5 * 1024**3))
                self.end_headers()
                chunk = b"x" * 65536
                try:
                    for _ in range(5 * 1024**3 // len(chunk)):
                        self.wfile.write(chunk)
                except OSError:
                    return
                return
            self.send_response(int(answer))
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.base = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
