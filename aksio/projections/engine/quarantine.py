"""Quarantines: one aggregate held back in one projection after its event failed there.

A projection that fails on an event must stop neither the other projections
nor the other aggregates. The runner records the failing aggregate here, in
the same transaction as the batch that moved past it, and from then on skips
that aggregate's events in that projection (they wait with it) while
everything else carries on. Nothing is silently dropped: the row names the
first skipped event's position and the error, `aksio projections status`
lists it, `/health` reports it, reads of the aggregate answer 503, and a
retry (`aksio projections retry`, or the owner's start) replays the
aggregate's events from that position once the cause is fixed.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from aksio.projections.engine.db import UtcDateTime, metadata

quarantine = sa.Table(
    "projection_quarantine",
    metadata,
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("originator_id", sa.Uuid, primary_key=True),
    sa.Column("position", sa.BigInteger, nullable=False),  # the first event held back
    sa.Column("topic", sa.String(300), nullable=False),
    sa.Column("error", sa.Text, nullable=False),
    sa.Column("since", UtcDateTime, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, default=1),
    sa.Column("retry_requested", sa.Boolean, nullable=False, default=False),
)

MAX_ERROR = 2000
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Held:
    name: str
    originator_id: UUID
    position: int
    topic: str
    error: str
    since: datetime
    attempts: int = 1

    def as_problem(self) -> dict[str, object]:
        return {
            "component": f"projection:{self.name}",
            "state": "quarantined",
            "aggregate_id": str(self.originator_id),
            "position": self.position,
            "topic": self.topic,
            "error": self.error,
            "since": self.since.isoformat(),
            "attempts": self.attempts,
        }


def describe(error: BaseException) -> str:
    text = f"{type(error).__name__}: {error}".strip()
    return text[:MAX_ERROR]


def record(conn: Connection, held: Held) -> None:
    """Stores a new quarantine (inside the batch's transaction)."""
    conn.execute(
        quarantine.insert().values(
            name=held.name,
            originator_id=held.originator_id,
            position=held.position,
            topic=held.topic[:300],
            error=held.error,
            since=held.since,
            attempts=held.attempts,
            retry_requested=False,
        )
    )


def release(conn: Connection, name: str, originator_id: UUID) -> None:
    conn.execute(
        quarantine.delete().where(
            quarantine.c.name == name, quarantine.c.originator_id == originator_id
        )
    )


def failed_again(conn: Connection, held: Held, error: str) -> None:
    conn.execute(
        quarantine.update()
        .where(quarantine.c.name == held.name, quarantine.c.originator_id == held.originator_id)
        .values(error=error, attempts=held.attempts + 1, retry_requested=False)
    )


def clear(conn: Connection, names: list[str]) -> None:
    """A projection emptied for a rebuild starts without quarantines."""
    conn.execute(quarantine.delete().where(quarantine.c.name.in_(names)))


def load(conn: Connection, names: list[str] | None = None) -> list[Held]:
    query = sa.select(quarantine).order_by(quarantine.c.position)
    if names is not None:
        query = query.where(quarantine.c.name.in_(names))
    return [
        Held(
            name=row.name,
            originator_id=row.originator_id,
            position=int(row.position),
            topic=row.topic,
            error=row.error,
            since=row.since,
            attempts=int(row.attempts),
        )
        for row in conn.execute(query)
    ]


def held_back(engine: Engine) -> list[Held]:
    with engine.connect() as conn:
        return load(conn)


def request_retry(engine: Engine, names: list[str] | None = None) -> int:
    """Asks the owners of these projections (every one by default) to retry their quarantines."""
    statement = quarantine.update().values(retry_requested=True)
    if names is not None:
        statement = statement.where(quarantine.c.name.in_(names))
    with engine.begin() as conn:
        return int(conn.execute(statement).rowcount)


def retry_requested(conn: Connection, names: list[str]) -> bool:
    query = sa.select(sa.func.count()).where(
        quarantine.c.name.in_(names), quarantine.c.retry_requested.is_(True)
    )
    return bool(conn.execute(query).scalar())


def now() -> datetime:
    return datetime.now(UTC)


class HeldWatch:
    """The aggregates quarantined in any projection, as this process last read them.

    Read every `every_s` by a thread of its own (the owner of a projection also
    refreshes it as soon as it quarantines or releases one), so a request that
    checks whether it reads a held-back aggregate costs a set lookup.
    """

    def __init__(self, engine: Engine, every_s: float = 2.0) -> None:
        self.engine = engine
        self.every_s = every_s
        self.ids: frozenset[UUID] = frozenset()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def refresh(self) -> None:
        try:
            with self.engine.connect() as conn:
                found = conn.execute(sa.select(quarantine.c.originator_id)).scalars()
                self.ids = frozenset(found)
        except sa.exc.SQLAlchemyError:
            logger.warning("reading quarantines failed; keeping the last list")

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="quarantines", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            self.refresh()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
