"""`/metrics` in the Prometheus text format: request latency, projection, reactor and relay lag,
webhook delivery outcomes.

Latency is measured in this process. Lags and webhook outcomes are read from the
database at scrape time, so any API replica reports the whole system's figures,
whichever process runs the projections, the dispatcher or the relay.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aksio.bootstrap import System
from aksio.projections.db import reactor_tracking
from aksio.projections.positions import read_positions
from aksio.projections.webhooks import attempts

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
Labels = tuple[str, str, str]  # method, route template, status


class RequestMetrics:
    """A latency histogram per (method, route, status); thread-safe."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.buckets: dict[Labels, list[int]] = defaultdict(lambda: [0] * len(BUCKETS))
        self.sums: dict[Labels, float] = defaultdict(float)
        self.counts: dict[Labels, int] = defaultdict(int)

    def observe(self, labels: Labels, seconds: float) -> None:
        with self.lock:
            counts = self.buckets[labels]
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    counts[i] += 1
            self.sums[labels] += seconds
            self.counts[labels] += 1

    def render(self) -> list[str]:
        name = "aksio_http_request_duration_seconds"
        lines = [f"# HELP {name} Time to answer a request, by route.", f"# TYPE {name} histogram"]
        with self.lock:
            for labels in sorted(self.counts):
                tags = _tags(method=labels[0], route=labels[1], status=labels[2])
                for bound, count in zip(BUCKETS, self.buckets[labels], strict=True):
                    lines.append(f'{name}_bucket{{{tags},le="{bound}"}} {count}')
                lines.append(f'{name}_bucket{{{tags},le="+Inf"}} {self.counts[labels]}')
                lines.append(f"{name}_sum{{{tags}}} {self.sums[labels]:.6f}")
                lines.append(f"{name}_count{{{tags}}} {self.counts[labels]}")
        return lines


def _tags(**labels: str) -> str:
    def escape(value: str) -> str:
        return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")

    return ",".join(f'{key}="{escape(value)}"' for key, value in labels.items())


class MetricsMiddleware:
    def __init__(self, app: ASGIApp, metrics: RequestMetrics) -> None:
        self.app = app
        self.metrics = metrics

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
            route = getattr(scope.get("route"), "path", None) or "(unmatched)"
            labels = (str(scope.get("method", "")), route, str(status[0]))
            self.metrics.observe(labels, time.perf_counter() - began)


def family(name: str, kind: str, about: str, samples: Sequence[tuple[str, int]]) -> list[str]:
    """One metric family: HELP and TYPE lines, then `name{tags} value` per sample."""
    lines = [f"# HELP {name} {about}", f"# TYPE {name} {kind}"]
    return lines + [f"{name}{{{tags}}} {value}" if tags else f"{name} {value}"
                    for tags, value in samples]  # fmt: skip


def system_lines(system: System) -> list[str]:
    """Gauges and counters read from the database at scrape time."""
    head = system.store.head()
    positions = read_positions(system.engine)
    with system.engine.connect() as conn:
        tracked = conn.execute(sa.select(reactor_tracking.c.name, reactor_tracking.c.position))
        reactors: dict[str, int] = {str(name): int(pos) for name, pos in tracked}
        counted = conn.execute(
            sa.select(attempts.c.outcome, sa.func.count()).group_by(attempts.c.outcome)
        )
        outcomes: dict[str, int] = {str(outcome): int(n) for outcome, n in counted}
    projection_lag = [
        (_tags(projection=p.name), head - positions.get(p.name, (0, 0))[0])
        for p in system.projections
    ]
    reactor_lag = [(_tags(reactor=name), head - pos) for name, pos in sorted(reactors.items())]
    relay = reactors.get("kafka_relay")
    tries = [(_tags(outcome=o), outcomes.get(o, 0)) for o in ("succeeded", "retrying", "failed")]
    failures = outcomes.get("retrying", 0) + outcomes.get("failed", 0)
    return [
        *family("aksio_event_store_head", "gauge", "Newest stored event.", [("", head)]),
        *family("aksio_projection_lag_events", "gauge", "Events not applied.", projection_lag),
        *family("aksio_reactor_lag_events", "gauge", "Events not handled.", reactor_lag),
        *family(
            "aksio_relay_lag_events",
            "gauge",
            "Events not yet in Kafka.",
            [("", head - relay)] if relay is not None else [],
        ),
        *family("aksio_webhook_attempts_total", "counter", "Attempts by outcome.", tries),
        *family("aksio_webhook_failures_total", "counter", "Failed attempts.", [("", failures)]),
    ]


def install(app: FastAPI, system: System) -> None:
    """Adds the latency middleware and the `/metrics` endpoint (no authentication)."""
    metrics = RequestMetrics()
    app.add_middleware(MetricsMiddleware, metrics=metrics)

    @app.get("/metrics", tags=["health"], response_class=PlainTextResponse)
    def prometheus() -> Any:
        """Prometheus metrics: request latency by route, lags, webhook outcomes."""
        body = "\n".join(metrics.render() + system_lines(system)) + "\n"
        return PlainTextResponse(body, media_type="text/plain; version=0.0.4; charset=utf-8")
