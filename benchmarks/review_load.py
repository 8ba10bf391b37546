"""Review load for the benchmarks: a deck of cards with their owners' tokens, and closed loops
of `POST flashcards/{id}/review/` from client threads, with latencies and machine CPU."""

from __future__ import annotations

import itertools
import os
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from aksio.aggregates.courses.course import Course
from aksio.aggregates.flashcards.flashcard import Flashcard
from aksio.core.store import EventStore
from aksio.integrations.tokens import TokenService
from benchmarks.common import SECRET, percentile

CHUNK = 500
PATH = "/api/v1/assessments/flashcards/{}/review/"
CARD: dict[str, Any] = {"difficulty_level": "medium", "tags": [], "explanation": None}


@dataclass
class Deck:
    """Every card with its owner and the owner's headers, handed out in a shuffled cycle."""

    cards: list[tuple[uuid.UUID, uuid.UUID, dict[str, str]]]
    _order: Iterator[int] = field(init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        order = list(range(len(self.cards)))
        random.Random(11).shuffle(order)
        self._order = itertools.cycle(order)

    def next(self) -> tuple[uuid.UUID, uuid.UUID, dict[str, str]]:
        with self._lock:
            return self.cards[next(self._order)]


@dataclass
class Run:
    label: str
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    elapsed: float = 0.0
    cpu: float = 0.0  # busy core-seconds of the whole machine during the run
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, took: float, status: int) -> None:
        with self.lock:
            self.latencies.append(took)
            self.statuses[status] += 1

    def p(self, q: float) -> float:
        return percentile(self.latencies, q) * 1000

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.elapsed

    def figures(self) -> list[object]:
        return [self.label, len(self.latencies), self.p(50), self.p(99), self.rate]

    @property
    def cpu_ms(self) -> float:
        return self.cpu * 1000 / len(self.latencies)

    @property
    def busy(self) -> str:
        return f"{100 * self.cpu / (self.elapsed * (os.cpu_count() or 1)):.0f} %"

    @property
    def failed(self) -> str:
        codes = sorted((code, n) for code, n in self.statuses.items() if code != 200)
        return " ".join(f"{n} x {code}" for code, n in codes) or "0"


def fill(store: EventStore, users: int, cards: int) -> Deck:
    """One course per user, the cards dealt out between them, saved `CHUNK` at a time."""
    tokens, now = TokenService(SECRET), datetime.now(UTC)
    owners = [uuid.uuid4() for _ in range(users)]
    headers = {o: {"Authorization": f"Bearer {tokens.access(o, now)}"} for o in owners}
    courses = {o: Course.create(o, {"name": "Anatomy"}) for o in owners}
    store.save(*courses.values())
    dealt: list[tuple[uuid.UUID, uuid.UUID, dict[str, str]]] = []
    pending: list[Flashcard] = []
    for n in range(cards):
        owner = owners[n % users]
        fields = {"question": f"Question {n}?", "answer": f"Answer {n}", **CARD}
        fields["course_id"] = courses[owner].id
        card = Flashcard.create(owner, fields, now=now, scheduler="sm2")
        pending.append(card)
        dealt.append((card.id, owner, headers[owner]))
        if len(pending) == CHUNK or n == cards - 1:
            store.save(*pending)
            pending = []
    return Deck(dealt)


def review(http: httpx.Client, deck: Deck, rng: random.Random) -> int:
    """The status of one review of the deck's next card; 0 when the request failed."""
    card, _, headers = deck.next()
    body = {"quality_response": rng.randint(2, 5), "response_time_seconds": 7}
    try:
        return http.post(PATH.format(card), json=body, headers=headers).status_code
    except httpx.TransportError:
        return 0


def busy_seconds() -> float:
    """Core-seconds all CPUs have spent busy since boot (Linux `/proc/stat`)."""
    ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def threads(run: Run, count: int, work: Callable[[], None]) -> None:
    """Runs `work` on `count` threads; the run's seconds and machine CPU until all finished."""
    pool = [threading.Thread(target=work) for _ in range(count)]
    began, cpu = time.perf_counter(), busy_seconds()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    run.elapsed, run.cpu = time.perf_counter() - began, busy_seconds() - cpu


def closed_loop(base: str, deck: Deck, concurrency: int, total: int, label: str) -> Run:
    """`total` reviews from `concurrency` threads, each sending its next as soon as answered."""
    run, tickets = Run(label), itertools.count()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    with httpx.Client(base_url=base, limits=limits, timeout=60) as http:

        def work() -> None:
            rng = random.Random()
            while next(tickets) < total:
                began = time.perf_counter()
                status = review(http, deck, rng)
                run.record(time.perf_counter() - began, status)

        threads(run, concurrency, work)
    return run
