"""Flashcard reviews over HTTP on PostgreSQL, against the store's own one-event-per-save limit.

Run: `.venv/bin/python -m benchmarks.bench_reviews [--requests 400] [--rate 500] [--seconds 10]`.
A fresh PostgreSQL database gets `--users` (20) learners with a course each and `--cards`
(2,000) cards between them, saved straight through the store; the projections catch up
in-process. There, a loop of `store.save(card)`, each card holding one new review event, gives
the library's one-event-per-save limit (events/s), and 32 threads dispatch reviews on the bus
alone (no HTTP, no read-your-writes wait) with and without group commit. Then `aksio serve`
(access log off) answers `POST flashcards/{id}/review/` from client threads at each level,
each request for the next card of a shuffled cycle, so concurrent reviews land on distinct
cards; c=32 runs again with the projections and reactors in an `aksio worker` process beside an
`aksio serve --no-workers`, and on a server started with `AKSIO_GROUP_COMMIT=false`. The open loops
schedule request n at n / rate seconds and count its latency from then, so a server that
falls behind pays for its queue. The client shares the two cores with the server and
PostgreSQL; the cpu columns are the whole machine's busy time. Last, the same review is held
against a plain CRUD app (`benchmarks/versus_crud.py`; `--versus-crud` runs only that).
"""

from __future__ import annotations

import argparse
import itertools
import random
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx

from aksio.aggregates.flashcards.flashcard import Flashcard
from aksio.bootstrap import System, all_handlers, build, migrate
from aksio.commands.bus import CommandBus
from aksio.commands.flashcards import ReviewFlashcard
from aksio.core.store import EventStore
from aksio.settings import Settings
from benchmarks import versus_crud
from benchmarks.bench_learning import analyze
from benchmarks.common import SECRET, pg_database, served, server_env, table, verdict, worker
from benchmarks.review_load import Deck, Run, closed_loop, fill, review, threads

LEVELS = (1, 8, 32, 64)
RATIO_GOAL = 2.0
P99_GOAL_MS = 50.0
SAVE_LOOP = 1_500
BUS_REVIEWS = 2_000
WARMUP = 40
# More connections than the server can keep busy only move the queue into it (and past
# PostgreSQL's 100 connections); latency counts from the schedule either way.
OPEN_LOOP_THREADS = 32


def save_limit(store: EventStore, saves: int) -> float:
    """Events/s of `store.save(card)` in a loop, each card holding one new review event."""
    owner, now = uuid.uuid4(), datetime.now(UTC)
    fields = {"question": "Q?", "answer": "A", "difficulty_level": "medium", "tags": []}
    cards = [Flashcard.create(owner, fields, now=now, scheduler="sm2") for _ in range(100)]
    store.save(*cards)
    began = time.perf_counter()
    for n in range(saves):
        card = cards[n % len(cards)]
        card.review(4, reviewed_at=now, recorded_at=now, scheduler="sm2")
        store.save(card)
    return saves / (time.perf_counter() - began)


def in_process(system: System, deck: Deck, concurrency: int, group_commit: bool) -> Run:
    """Reviews dispatched on the bus from threads: no HTTP, no waiting for projections."""
    bus = CommandBus(system.store, system.services, all_handlers(), group_commit=group_commit)
    label = f"bus in-process c={concurrency}" + ("" if group_commit else ", no group commit")
    run, tickets = Run(label), itertools.count()

    def work() -> None:
        rng = random.Random()
        while next(tickets) < BUS_REVIEWS:
            card, owner, _ = deck.next()
            command = ReviewFlashcard(owner_id=owner, flashcard_id=card, quality=rng.randint(2, 5))
            began = time.perf_counter()
            bus.dispatch(command)
            run.record(time.perf_counter() - began, 200)

    threads(run, concurrency, work)
    return run


def prepare(url: str, folder: Path, args: argparse.Namespace) -> tuple[Deck, float, list[Run]]:
    """The deck in a caught-up read model, the one-event-per-save limit (events/s) and the
    bus alone at c=32 with and without group commit."""
    settings = Settings(database_url=url, data_dir=folder, secret_key=SECRET)
    migrate(settings)
    system = build(settings, start_threads=False)
    try:
        deck = fill(system.store, args.users, args.cards)
        limit = save_limit(system.store, SAVE_LOOP)
        bus_runs = [in_process(system, deck, 32, flag) for flag in (True, False)]
        system.drain()
        analyze(system.engine)
    finally:
        system.close()
    return deck, limit, bus_runs


def open_loop(base: str, deck: Deck, rate: float, seconds: float) -> Run:
    """Reviews scheduled at a fixed rate; latency from each one's scheduled start."""
    run, tickets, total = Run(f"open loop {rate:g}/s"), itertools.count(), round(rate * seconds)
    limits = httpx.Limits(max_connections=OPEN_LOOP_THREADS)
    with httpx.Client(base_url=base, limits=limits, timeout=60) as http:
        start = time.perf_counter() + 0.2

        def work() -> None:
            rng = random.Random()
            while (n := next(tickets)) < total:
                due = start + n / rate
                time.sleep(max(0.0, due - time.perf_counter()))
                status = review(http, deck, rng)
                run.record(time.perf_counter() - due, status)

        threads(run, OPEN_LOOP_THREADS, work)
    run.elapsed -= 0.2
    return run


def http_runs(url: str, folder: Path, deck: Deck, args: argparse.Namespace) -> list[Run]:
    """The closed-loop levels, the open loops (the goal's rate, then half the best level's
    rate, which the server should sustain), then c=32 on a server without group commit."""
    with served(server_env(folder / "var", url), folder) as base:
        closed_loop(base, deck, 4, WARMUP, "warm-up")
        runs = [closed_loop(base, deck, c, args.requests, f"c={c}") for c in LEVELS]
        runs.append(open_loop(base, deck, args.rate, args.seconds))
        easy = round(max(r.rate for r in runs[: len(LEVELS)]) / 2)
        runs.append(open_loop(base, deck, easy, args.seconds))
    split = server_env(folder / "var", url)
    with worker(split, folder), served(split, folder, "--no-workers") as base:
        closed_loop(base, deck, 4, WARMUP, "warm-up")
        runs.append(closed_loop(base, deck, 32, args.requests, "c=32, projections in a worker"))
    plain = server_env(folder / "var", url, AKSIO_GROUP_COMMIT="false")
    with served(plain, folder) as base:
        closed_loop(base, deck, 4, WARMUP, "warm-up")
        runs.append(closed_loop(base, deck, 32, args.requests, "c=32, no group commit"))
    return runs


def report(runs: list[Run], bus_runs: list[Run], limit: float, args: argparse.Namespace) -> None:
    levels, open_runs = runs[: len(LEVELS)], runs[len(LEVELS) : len(LEVELS) + 2]
    closed = [*levels, *runs[-2:], *bus_runs]
    print(f"POST flashcards/{{id}}/review/ on `aksio serve`, PostgreSQL, {args.cards:,} cards")
    print(f"one-event-per-save limit (store.save loop, {SAVE_LOOP:,} saves): {limit:,.1f} events/s")
    rows = [[*r.figures(), r.rate / limit, r.busy, r.cpu_ms, r.failed] for r in closed]
    columns = ["closed loop", "reviews", "p50 ms", "p99 ms", "reviews/s", "x limit"]
    columns += ["cpu busy", "cpu ms each", "non-200"]
    print(table(columns, rows))
    best = max([*levels, runs[-2]], key=lambda r: r.rate)  # the split deployment too
    ratio = best.rate / limit
    print(
        f"best over HTTP: {best.label}, {ratio:.2f}x the limit "
        f"(goal >= {RATIO_GOAL:g}x): {verdict(ratio >= RATIO_GOAL)}\n"
    )
    rows = [[r.label, len(r.latencies), r.rate, r.p(50), r.p(99), r.failed] for r in open_runs]
    columns = ["open loop", "reviews", "achieved/s", "p50 ms", "p99 ms", "non-200"]
    print(table(columns, rows))
    p99 = open_runs[0].p(99)
    print(
        f"p99 at {args.rate:g} reviews/s, from each scheduled start: {p99:,.1f} ms "
        f"(goal < {P99_GOAL_MS:g} ms): {verdict(p99 < P99_GOAL_MS)}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--cards", type=int, default=2_000)
    parser.add_argument("--requests", type=int, default=400, help="reviews per closed level")
    parser.add_argument("--rate", type=float, default=500.0, help="open-loop reviews/s")
    parser.add_argument("--seconds", type=float, default=10.0, help="open-loop duration")
    parser.add_argument("--versus-crud", action="store_true", help="only the CRUD comparison")
    parser.add_argument("--rounds", type=int, default=3, help="CRUD comparison rounds")
    parser.add_argument("--single", type=int, default=150, help="c=1 reviews a round and side")
    parser.add_argument("--eight", type=int, default=400, help="c=8 reviews a round and side")
    args = parser.parse_args()
    if not args.versus_crud:
        benchmark(args)
        print()
    versus_crud.compare(args.users, args.cards, args.rounds, args.single, args.eight)
    return 0


def benchmark(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="aksio-bench-") as name, pg_database() as url:
        folder = Path(name)
        began = time.perf_counter()
        deck, limit, bus_runs = prepare(url, folder / "var", args)
        print(f"setup and in-process runs: {time.perf_counter() - began:.1f} s", flush=True)
        runs = http_runs(url, folder, deck, args)
    report(runs, bus_runs, limit, args)


if __name__ == "__main__":
    raise SystemExit(main())
