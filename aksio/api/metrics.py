"""`/metrics` through `prometheus_client`: request latency, projection, reactor and relay lag,
quarantined aggregates, webhook delivery outcomes.

Latency is measured in this process, in a registry of the app's own; with
`PROMETHEUS_MULTIPROC_DIR` set (prometheus_client's multiprocess mode, for a
deployment of several API processes), each process writes its samples to that
folder and any of them answers for all. Lags, quarantines and webhook outcomes
are read from the database at scrape time, so any API replica reports the whole
system's figures, whichever process runs the projections, the dispatcher or the
relay.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.responses import Response
from prometheus_client import (
    CollectorRegistry,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from aksio.api.observe import Observe
from aksio.bootstrap import System
from aksio.projections.engine.db import reactor_tracking
from aksio.projections.engine.positions import read_positions
from aksio.projections.engine.quarantine import quarantine
from aksio.projections.webhooks import attempts

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
MULTIPROCESS = "PROMETHEUS_MULTIPROC_DIR"  # prometheus_client reads it itself


class SystemCollector(Collector):
    """Gauges and counters read from the database at scrape time."""

    def __init__(self, system: System) -> None:
        self.system = system

    def collect(self) -> Iterator[Metric]:
        system = self.system
        head = system.store.head()
        positions = read_positions(system.engine)
        with system.engine.connect() as conn:
            tracked = conn.execute(sa.select(reactor_tracking.c.name, reactor_tracking.c.position))
            reactors: dict[str, int] = {str(name): int(pos) for name, pos in tracked}
            counted = conn.execute(
                sa.select(attempts.c.outcome, sa.func.count()).group_by(attempts.c.outcome)
            )
            outcomes: dict[str, int] = {str(outcome): int(n) for outcome, n in counted}
            held = conn.execute(
                sa.select(quarantine.c.name, sa.func.count()).group_by(quarantine.c.name)
            )
            quarantined: dict[str, int] = {str(name): int(n) for name, n in held}
        yield GaugeMetricFamily("aksio_event_store_head", "Newest stored event.", value=head)
        lag = GaugeMetricFamily(
            "aksio_projection_lag_events", "Events not applied.", labels=["projection"]
        )
        holds = GaugeMetricFamily(
            "aksio_projection_quarantined_aggregates",
            "Aggregates held back after an error.",
            labels=["projection"],
        )
        for projection in system.projections:
            lag.add_metric([projection.name], head - positions.get(projection.name, (0, 0))[0])
            holds.add_metric([projection.name], quarantined.get(projection.name, 0))
        yield lag
        yield holds
        reactor_lag = GaugeMetricFamily(
            "aksio_reactor_lag_events", "Events not handled.", labels=["reactor"]
        )
        for name, position in sorted(reactors.items()):
            reactor_lag.add_metric([name], head - position)
        yield reactor_lag
        relay = GaugeMetricFamily("aksio_relay_lag_events", "Events not yet in Kafka.")
        if "kafka_relay" in reactors:
            relay.add_metric([], head - reactors["kafka_relay"])
        yield relay
        tries = CounterMetricFamily(
            "aksio_webhook_attempts", "Attempts by outcome.", labels=["outcome"]
        )
        for outcome in ("succeeded", "retrying", "failed"):
            tries.add_metric([outcome], outcomes.get(outcome, 0))
        yield tries
        failures = outcomes.get("retrying", 0) + outcomes.get("failed", 0)
        yield CounterMetricFamily("aksio_webhook_failures", "Failed attempts.", value=failures)


def install(app: FastAPI, system: System) -> None:
    """Adds the latency middleware and the `/metrics` endpoint (no authentication)."""
    # `_created` series double the output and nobody graphs them
    disable_created_metrics()  # type: ignore[no-untyped-call]
    registry = CollectorRegistry()
    latency = Histogram(
        "aksio_http_request_duration_seconds",
        "Time to answer a request, by route.",
        ["method", "route", "status"],
        buckets=BUCKETS,
        registry=None if os.environ.get(MULTIPROCESS) else registry,
    )
    if os.environ.get(MULTIPROCESS):
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    registry.register(SystemCollector(system))
    app.add_middleware(Observe, latency=latency)  # also writes the access log

    @app.get("/metrics", tags=["health"], response_class=Response)
    def prometheus() -> Any:
        """Prometheus metrics: request latency by route, lags, quarantines, webhook outcomes."""
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_PLAIN_0_0_4)
