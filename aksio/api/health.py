"""`/health`: answers within a second however busy or stuck the request path is.

The checks run on a thread of their own (never AnyIO's limiter, which requests
can use up) through a connection of their own (never the request pool, which a
stall can use up), with short timeouts; one probe runs at a time and every
caller meanwhile shares its answer. A probe that has not answered in time
reports the database as unresponsive.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from aksio.bootstrap import System
from aksio.projections.engine.db import make_engine
from aksio.projections.engine.positions import read_positions

ANSWER_WITHIN_S = 0.9
STATEMENT_TIMEOUT_MS = 2000
Report = tuple[int, dict[str, Any]]


def database_problem(state: str, error: str) -> dict[str, Any]:
    return {"component": "database", "state": state, "position": None, "error": error}


class HealthProbe:
    def __init__(self, system: System, answer_within_s: float = ANSWER_WITHIN_S) -> None:
        self.system = system
        self.answer_within_s = answer_within_s
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="health")
        self._engine: Engine | None = None
        self._pending: Future[Report] | None = None
        self._lock = threading.Lock()

    async def report(self) -> Report:
        """(HTTP status, body): 200 with `status` ok, or 503 with `status` degraded."""
        with self._lock:
            if self._pending is None or self._pending.done():
                self._pending = self._executor.submit(self._probe)
            pending = self._pending
        try:
            return await asyncio.wait_for(
                asyncio.shield(asyncio.wrap_future(pending)), self.answer_within_s
            )
        except TimeoutError:
            error = f"no answer within {self.answer_within_s} s"
            return self._degraded([database_problem("unresponsive", error)])

    def _probe(self) -> Report:
        try:
            if self._engine is None:
                settings = self.system.settings
                self._engine = make_engine(
                    settings, pool_size=1, statement_timeout_ms=STATEMENT_TIMEOUT_MS
                )
            with self._engine.connect() as conn:
                head = self._head(conn)
            positions = read_positions(self._engine)
            problems = self.system.problems()
        except Exception as error:
            message = f"{type(error).__name__}: {error}".splitlines()[0][:500]
            return self._degraded([database_problem("unreachable", message)])
        body: dict[str, Any] = {
            "status": "degraded" if problems else "ok",
            "database": self._backend(),
            "head": head,
            "projections": {
                p.name: {
                    "position": positions.get(p.name, (0, 0))[0],
                    "lag": head - positions.get(p.name, (0, 0))[0],
                }
                for p in self.system.projections
            },
        }
        if problems:
            body["problems"] = problems
        return (503 if problems else 200), body

    def _head(self, conn: Connection) -> int:
        """The log's head through the probe's connection (the store's pool may be in use)."""
        table = getattr(self.system.store.recorder, "events_table_name", None)
        if conn.dialect.name != "postgresql" or not isinstance(table, str):
            return self.system.store.head()
        highest = sa.func.max(sa.column("notification_id", sa.BigInteger))
        query = sa.select(highest).select_from(sa.table(table))
        return int(conn.execute(query).scalar() or 0)

    def _backend(self) -> str:
        return "postgresql" if self.system.settings.uses_postgres else "sqlite"

    def _degraded(self, problems: list[dict[str, Any]]) -> Report:
        return 503, {"status": "degraded", "database": self._backend(), "problems": problems}

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        if self._engine is not None:
            self._engine.dispose()
