"""One owner per projection across processes: advisory locks on PostgreSQL, file locks on SQLite."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import zlib
from pathlib import Path
from typing import IO, Protocol

import psycopg

from aksio.core.store import postgres_dsn
from aksio.settings import Settings

logger = logging.getLogger(__name__)


def lock_key(name: str) -> int:
    return zlib.crc32(f"aksio.projection.{name}".encode())


class Locks(Protocol):
    def try_acquire(self, name: str) -> bool: ...
    def acquire(self, name: str) -> None: ...
    def release(self, name: str) -> None: ...
    def release_all(self) -> None: ...
    def check(self) -> set[str]: ...
    def close(self) -> None: ...


class PostgresLocks:
    """Session-level advisory locks held on one dedicated connection.

    The session is named `aksio-locks-<pid>` (`application_name`), so an operator can
    find it in `pg_stat_activity`. When it dies the locks are gone with it: `alive`
    says so, and the owner gives up what it held (the leases fence it meanwhile).
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._conn: psycopg.Connection[tuple[object, ...]] | None = None
        self.held: set[str] = set()

    @property
    def conn(self) -> psycopg.Connection[tuple[object, ...]]:
        if self._conn is None or self._conn.closed:
            self._conn = psycopg.connect(
                postgres_dsn(self.url),
                autocommit=True,
                application_name=f"aksio-locks-{os.getpid()}",
                connect_timeout=5,
            )
            self.held.clear()
        return self._conn

    def try_acquire(self, name: str) -> bool:
        if name in self.held:
            return True
        row = self.conn.execute("SELECT pg_try_advisory_lock(%s)", (lock_key(name),)).fetchone()
        if row and row[0]:
            self.held.add(name)
            return True
        return False

    def acquire(self, name: str) -> None:
        if name not in self.held:
            self.conn.execute("SELECT pg_advisory_lock(%s)", (lock_key(name),))
            self.held.add(name)

    def release_all(self) -> None:
        try:
            if self._conn is not None and not self._conn.closed:
                self._conn.execute("SELECT pg_advisory_unlock_all()")
        except psycopg.Error:
            self.close()  # a dead session holds nothing
        self.held.clear()

    def release(self, name: str) -> None:
        if name in self.held:
            self.held.discard(name)
            try:
                self.conn.execute("SELECT pg_advisory_unlock(%s)", (lock_key(name),))
            except psycopg.Error:
                self.close()

    def check(self) -> set[str]:
        """The locks still held: none once the session that held them is gone."""
        if not self.held:
            return set()
        try:
            if self._conn is None or self._conn.closed:
                raise psycopg.OperationalError("the lock session was closed")
            self._conn.execute("SELECT 1")
        except psycopg.Error:
            logger.warning("the advisory-lock session is gone, and its locks %s", self.held)
            self.close()
        return set(self.held)

    def close(self) -> None:
        if self._conn is not None and not self._conn.closed:
            with contextlib.suppress(psycopg.Error):
                self._conn.close()
        self.held.clear()


class FileLocks:
    def __init__(self, data_dir: Path) -> None:
        self.folder = data_dir / "locks"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.handles: dict[str, IO[str]] = {}

    def _take(self, name: str, flags: int) -> bool:
        if name in self.handles:
            return True
        handle = (self.folder / f"projection-{name}.lock").open("a")
        try:
            fcntl.flock(handle, flags)
        except BlockingIOError:
            handle.close()
            return False
        self.handles[name] = handle
        return True

    def try_acquire(self, name: str) -> bool:
        return self._take(name, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def acquire(self, name: str) -> None:
        self._take(name, fcntl.LOCK_EX)

    def release_all(self) -> None:
        for handle in self.handles.values():
            handle.close()
        self.handles.clear()

    def release(self, name: str) -> None:
        handle = self.handles.pop(name, None)
        if handle is not None:
            handle.close()

    def check(self) -> set[str]:
        return set(self.handles)  # a file lock lives as long as its process

    def close(self) -> None:
        self.release_all()


def make_locks(settings: Settings) -> Locks:
    if settings.uses_postgres:
        assert settings.database_url
        return PostgresLocks(settings.database_url)
    return FileLocks(settings.data_dir)
