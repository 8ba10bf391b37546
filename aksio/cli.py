"""The `aksio` command: serve, worker, migrate, projections."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
import time
from collections.abc import Sequence

from aksio.bootstrap import build, migrate
from aksio.core.collector import tune_for_service
from aksio.logs import configure as configure_logging
from aksio.projections.engine.positions import read_positions
from aksio.projections.engine.quarantine import held_back, request_retry
from aksio.settings import Settings
from aksio.shutdown import exit_by_deadline


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from aksio.api.app import create_app
    from aksio.api.protocol import limited_protocol
    from aksio.shutdown import BoundedServer

    migrate(settings)
    logging.getLogger("aksio.access").disabled = not args.access_log
    system = build(settings, workers=not args.no_workers)
    tune_for_service()
    # uvicorn re-raises SIGTERM after its graceful shutdown; exit through `finally` instead.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        config = uvicorn.Config(
            create_app(system),
            host=args.host,
            port=args.port,
            workers=1,
            log_level=args.log_level,
            log_config=None,  # `aksio.logs` configured logging; uvicorn keeps it
            access_log=False,  # `aksio.access` writes one structured line per request
            http=limited_protocol(
                settings.max_header_bytes,
                settings.request_read_timeout_s,
                settings.request_min_body_rate,
            ),
        )
        BoundedServer(config).run()
    finally:
        system.close()
    return 0


def _worker(_args: argparse.Namespace, settings: Settings) -> int:
    migrate(settings)
    system = build(settings, workers=True)
    tune_for_service()
    stop = threading.Event()

    def stop_soon(*_: object) -> None:
        stop.set()
        exit_by_deadline()  # a stop while the database hangs still ends the process

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, stop_soon)
    print(f"worker running; owns {[p.name for p in system.runner.owned]}", file=sys.stderr)
    try:
        while not stop.wait(5):
            pass
    finally:
        system.close()
    return 0


def _migrate(_args: argparse.Namespace, settings: Settings) -> int:
    migrate(settings)
    print("migrated", file=sys.stderr)
    return 0


def _status(_args: argparse.Namespace, settings: Settings) -> int:
    migrate(settings)
    system = build(settings, workers=False)
    try:
        head = system.store.head()
        positions = read_positions(system.engine)
        print(f"{'projection':<24}{'position':>12}{'lag':>12}")
        for projection in system.projections:
            position = positions.get(projection.name, (0, 0))[0]
            print(f"{projection.name:<24}{position:>12}{head - position:>12}")
        print(f"{'(event store head)':<24}{head:>12}")
        held = held_back(system.engine)
        print(f"\nquarantined aggregates: {len(held)}")
        for item in held:
            print(
                f"  {item.name} {item.originator_id} since event {item.position} ({item.topic}), "
                f"{item.attempts} attempt(s): {item.error.splitlines()[0]}"
            )
    finally:
        system.close()
    return 0


def _retry(args: argparse.Namespace, settings: Settings) -> int:
    """Asks the owners to replay quarantined aggregates; replays here what no one owns."""
    migrate(settings)
    system = build(settings, workers=False)
    try:
        names = [args.name] if args.name else None
        asked = request_retry(system.engine, names)
        system.runner.claim()  # projections no running process owns are retried here
        released, still = system.runner.retry_quarantined() if system.runner.owned else (0, 0)
        others = asked - released - still
        print(f"released {released}, still failing {still}, left to their running owners {others}")
    finally:
        system.close()
    return 0


def _rebuild(args: argparse.Namespace, settings: Settings) -> int:
    migrate(settings)
    system = build(settings, workers=False)
    try:
        by_name = {p.name: p for p in system.projections}
        if args.all:
            chosen = list(by_name.values())
        elif args.name in by_name:
            chosen = [by_name[args.name]]
        else:
            print(f"unknown projection {args.name!r}; known: {sorted(by_name)}", file=sys.stderr)
            return 2
        head = system.store.head()
        began = time.perf_counter()

        def progress(position: int, head_now: int, done: int) -> None:
            width = 30
            fraction = position / head_now if head_now else 1.0
            bar = "#" * int(width * fraction)
            rate = done / max(time.perf_counter() - began, 1e-9)
            sys.stderr.write(f"\r[{bar:<{width}}] {position}/{head_now} {rate:,.0f} events/s")
            sys.stderr.flush()

        total = system.runner.rebuild(chosen, progress)
        elapsed = time.perf_counter() - began
        rate = total / elapsed if elapsed else 0.0
        names = ", ".join(p.name for p in chosen)
        sys.stderr.write("\n")
        print(f"rebuilt {names}: {total} events (head {head}) in {elapsed:.2f}s, {rate:,.0f}/s")
    finally:
        system.close()
    return 0


def _relay(_args: argparse.Namespace, settings: Settings) -> int:
    from aksio.reactors.kafka_relay import run_relay

    if not settings.kafka_bootstrap_servers:
        print("set AKSIO_KAFKA_BOOTSTRAP_SERVERS to relay events to Kafka", file=sys.stderr)
        return 2
    migrate(settings)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    run_relay(settings, stop)
    return 0


def _events_tail(args: argparse.Namespace, settings: Settings) -> int:
    from aksio.reactors.kafka_relay import tail

    servers = args.bootstrap_servers or settings.kafka_bootstrap_servers
    if not servers:
        print("set AKSIO_KAFKA_BOOTSTRAP_SERVERS or --bootstrap-servers", file=sys.stderr)
        return 2
    topic = args.topic or settings.kafka_topic
    shown = 0
    records = tail(servers, topic, from_beginning=args.from_beginning, idle_seconds=args.idle)
    for record in records:
        if args.aggregate_id and (record.key or b"").decode() != args.aggregate_id:
            continue
        print((record.value or b"").decode(), flush=True)
        shown += 1
        if args.max and shown >= args.max:
            break
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="aksio", description="Aksio backend")
    commands = root.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the API (and, by default, the workers)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--no-workers", action="store_true", help="projections run elsewhere")
    serve.add_argument("--log-level", default="info")
    serve.add_argument("--access-log", action=argparse.BooleanOptionalAction, default=True)
    serve.set_defaults(run=_serve)
    commands.add_parser("worker", help="run projections and reactors").set_defaults(run=_worker)
    commands.add_parser("migrate", help="create or upgrade tables").set_defaults(run=_migrate)
    projections = commands.add_parser("projections", help="inspect or rebuild read models")
    sub = projections.add_subparsers(dest="action", required=True)
    sub.add_parser("status", help="positions, lag and quarantines").set_defaults(run=_status)
    retry = sub.add_parser("retry", help="replay quarantined aggregates after a fix")
    retry.add_argument("name", nargs="?", help="one projection (default: every one)")
    retry.set_defaults(run=_retry)
    rebuild = sub.add_parser("rebuild", help="drop and replay read models")
    target = rebuild.add_mutually_exclusive_group(required=True)
    target.add_argument("name", nargs="?")
    target.add_argument("--all", action="store_true")
    rebuild.set_defaults(run=_rebuild)
    commands.add_parser("relay", help="publish stored events to Kafka").set_defaults(run=_relay)
    events = commands.add_parser("events", help="the event stream in Kafka")
    tail = events.add_subparsers(dest="action", required=True).add_parser(
        "tail", help="print the topic's events as JSON lines"
    )
    tail.add_argument("--from-beginning", action="store_true", help="not only new events")
    tail.add_argument("--aggregate-id", help="only this aggregate's events")
    tail.add_argument("--max", type=int, help="stop after this many events")
    tail.add_argument("--idle", type=float, help="stop after this many seconds without events")
    tail.add_argument("--topic", help="default: AKSIO_KAFKA_TOPIC")
    tail.add_argument("--bootstrap-servers", help="default: AKSIO_KAFKA_BOOTSTRAP_SERVERS")
    tail.set_defaults(run=_events_tail)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = Settings()
    configure_logging(settings.log_format, getattr(args, "log_level", "info"))
    result: int = args.run(args, settings)
    return result


if __name__ == "__main__":
    sys.exit(main())
