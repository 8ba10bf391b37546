"""The request's read-model connection, checked out at first use by the thread that uses it.

A plain `def` dependency that opens a connection runs in one worker thread and
hands the connection to the route, which then needs a second worker thread:
under a database stall every connection ended up held by a request waiting for
a thread, and every thread by a request waiting for a connection, for good.
Here the dependency itself does no I/O (it runs on the event loop); the route's
own thread checks the connection out when it first reads, and the connection
goes back to the pool when the request ends, on a small pool of threads of its
own that never waits for anything but the database.

Read-your-writes lives here too: before its first read, a request waits until the
projections show every event stored before it began, in any process (`catch_up`). A
command therefore answers as soon as its events are stored, and only a read that comes
after it waits, and only as long as the projections lag behind the log.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from typing import Any

import anyio
import anyio.to_thread
from sqlalchemy.engine import Connection, Dialect, Engine

CLOSERS = 4  # threads per event loop that return connections to the pool (a rollback each)
_closers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)


class LazyReads:
    """Stands in for a SQLAlchemy `Connection`: any use opens the real one."""

    def __init__(self, engine: Engine, catch_up: Callable[[], None] = lambda: None) -> None:
        self._engine = engine
        self._catch_up = catch_up
        self._conn: Connection | None = None

    @property
    def dialect(self) -> Dialect:
        return self._engine.dialect

    def _open(self) -> Connection:
        if self._conn is None:
            self._catch_up()  # before the checkout: a wait holds no pooled connection
            # Reads only, each statement its own snapshot: no BEGIN before the first and no
            # ROLLBACK when the connection goes back, two round trips fewer per checkout.
            self._conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        return self._conn

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        return self._open().execute(*args, **kwargs)

    def scalar(self, *args: Any, **kwargs: Any) -> Any:
        return self._open().scalar(*args, **kwargs)

    def scalars(self, *args: Any, **kwargs: Any) -> Any:
        return self._open().scalars(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._open(), name)

    def release(self) -> None:
        """Returns the connection now; the next read opens a new one, after catching up
        with what was stored meanwhile (a command of this very request included)."""
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    async def aclose(self) -> None:
        if self._conn is None:
            return
        loop = asyncio.get_running_loop()
        limiter = _closers.get(loop)
        if limiter is None:
            limiter = _closers[loop] = anyio.CapacityLimiter(CLOSERS)
        with anyio.CancelScope(shield=True):  # a client that went away still frees it
            await anyio.to_thread.run_sync(self.release, limiter=limiter)
