"""Tracked positions: reading and recording them, and read-your-writes when the
projections run in another process.

The runner that owns a projection announces each committed batch on PostgreSQL
(`pg_notify` inside the batch's transaction, so the signal leaves at commit), with
its position and the projections it holds. In a process that does not own every
projection (`aksio serve --no-workers`, or one of several API processes), one
thread takes those announcements in, and reads the tracked positions through a
connection of its own when it starts and every `recheck_s` while a request waits
(in case a signal is lost); waiting requests only look at what it knows: however
many requests wait, they take no connection from the request pool for it.
Without PostgreSQL (SQLite has no notifications) the thread polls every
`poll_s` while anyone waits.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Sequence

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from aksio.core.store import postgres_dsn
from aksio.projections.engine.base import Projection
from aksio.projections.engine.db import tracking

logger = logging.getLogger(__name__)
CHANNEL = "aksio_positions"


def read_positions(engine: Engine) -> dict[str, tuple[int, int]]:
    """Each projection's tracked position and version."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(tracking.c.name, tracking.c.position, tracking.c.version))
        return {name: (int(pos), int(ver)) for name, pos, ver in rows}


def set_position(conn: Connection, projection: Projection, position: int) -> None:
    updated = conn.execute(
        tracking.update()
        .where(tracking.c.name == projection.name)
        .values(position=position, version=projection.version)
    )
    if updated.rowcount == 0:
        conn.execute(
            tracking.insert().values(
                name=projection.name, position=position, version=projection.version
            )
        )


class PositionWatch:
    def __init__(
        self,
        engine: Engine,
        projections: Sequence[Projection],
        listen_url: str | None,
        *,
        recheck_s: float = 0.05,
        poll_s: float = 0.005,
    ) -> None:
        self.engine = engine  # its own, small: see the module's docstring
        self.names = [p.name for p in projections]
        self.listen_url = listen_url
        self.recheck_s = recheck_s
        self.poll_s = poll_s
        self.signals = 0  # batches announced that this process heard of
        self._lowest = 0  # the lowest position of all projections, as last known
        self._known: dict[str, int] = {}  # each projection's highest position heard or read
        self._waiting = 0
        self._changed = threading.Condition()
        self._wanted = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def wait_for(self, position: int, timeout: float) -> bool:
        """True once every projection has passed `position`; False after `timeout`."""
        deadline = time.monotonic() + timeout
        with self._changed:
            if self._lowest >= position:
                return True
            self._start()
            self._waiting += 1
            self._wanted.set()
            try:
                while self._lowest < position:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        return False
                    self._changed.wait(remaining)
                return True
            finally:
                self._waiting -= 1

    def _start(self) -> None:
        if self._thread is None and not self._stop.is_set():
            self._thread = threading.Thread(target=self._run, name="positions", daemon=True)
            self._thread.start()

    def _read(self) -> None:
        query = sa.select(tracking.c.name, tracking.c.position)
        with self.engine.connect() as conn:
            found = dict(conn.execute(query.where(tracking.c.name.in_(self.names))).all())
        self._learn({str(name): int(position) for name, position in found.items()})

    def _heard(self, payload: str) -> None:
        """A batch's announcement: its position, for each projection its runner holds."""
        try:
            said = json.loads(payload)
            position, names = int(said["position"]), [str(n) for n in said["names"]]
        except (ValueError, KeyError, TypeError):
            self._read()  # not an announcement this version makes: the table tells
            return
        self._learn(dict.fromkeys(names, position))

    def _learn(self, positions: dict[str, int]) -> None:
        with self._changed:
            known = self._known
            for name, position in positions.items():
                if position > known.get(name, 0):
                    known[name] = position
            lowest = min((known.get(name, 0) for name in self.names), default=0)
            if lowest > self._lowest:
                self._lowest = lowest
                self._changed.notify_all()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if self.listen_url:
                    self._follow_signals(self.listen_url)
                else:
                    self._poll()
            except (psycopg.Error, sa.exc.SQLAlchemyError):  # a pool timeout too
                logger.warning("reading projection positions failed; retrying")
                self._stop.wait(1.0)

    def _follow_signals(self, url: str) -> None:
        with psycopg.connect(postgres_dsn(url), autocommit=True) as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            self._read()
            read_at = time.monotonic()
            while not self._stop.is_set():
                for signal in conn.notifies(timeout=0.1, stop_after=1):
                    self.signals += 1
                    self._heard(signal.payload)
                idle = self.recheck_s if self._waiting else 1.0
                if time.monotonic() - read_at >= idle:
                    self._read()
                    read_at = time.monotonic()

    def _poll(self) -> None:
        while not self._stop.is_set():
            self._wanted.wait(1.0)
            self._read()
            with self._changed:
                if not self._waiting:
                    self._wanted.clear()
            self._stop.wait(self.poll_s)

    def stop(self) -> None:
        self._stop.set()
        self._wanted.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.engine.dispose()
