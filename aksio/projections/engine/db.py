"""The read-model database: SQLAlchemy Core tables that work on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect, Engine

from aksio.core.store import postgres_conninfo
from aksio.settings import Settings

metadata = sa.MetaData()
RECYCLE_S = 1800  # under common idle-session timeouts of servers and proxies

tracking = sa.Table(
    "projection_tracking",
    metadata,
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("position", sa.BigInteger, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
)

reactor_tracking = sa.Table(
    "reactor_tracking",
    metadata,
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("position", sa.BigInteger, nullable=False),
)


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """Aware UTC datetimes on both databases (SQLite has no time zones)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the read model")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


API_POOL_SIZE = 15  # the request pool holds this many connections, and as many again on demand
CONNECT_TIMEOUT_S = 5  # a new connection to an unreachable server fails after this long


def make_engine(
    settings: Settings,
    pool_size: int = API_POOL_SIZE,
    *,
    statement_timeout_ms: int = 0,
    waits_for_flush: bool = True,
) -> Engine:
    """An engine for read models; the API's pool is sized for its worker threads.

    A checkout waits at most `db_pool_timeout_s` for a free connection, then raises
    SQLAlchemy's `TimeoutError` (503 over HTTP): under a stall, a request answers instead
    of queueing behind every connection held. `statement_timeout_ms` bounds each statement
    on PostgreSQL (the health probe's). Without `waits_for_flush` a commit returns before its
    WAL reaches the disk (`synchronous_commit=off`): for the projection runner, whose rows and
    positions can be rebuilt from the log, and after a crash are simply applied again from the
    last position that reached the disk."""
    if settings.uses_postgres:
        assert settings.database_url
        info = postgres_conninfo(settings.database_url)
        url = sa.URL.create(
            "postgresql+psycopg",
            username=info["user"],
            password=info["password"] or None,
            host=info["host"],
            port=int(info["port"]),
            database=info["dbname"],
        )
        return sa.create_engine(
            url,
            pool_size=pool_size,
            max_overflow=pool_size,
            # No ping before each checkout (a round trip per checkout, two per review): a
            # connection the server dropped fails its first statement, which answers 503 and
            # makes the pool drop every connection older than the failure.
            pool_recycle=RECYCLE_S,
            pool_timeout=settings.db_pool_timeout_s,
            connect_args={
                "connect_timeout": CONNECT_TIMEOUT_S,
                "options": f"-c statement_timeout={statement_timeout_ms}"
                + ("" if waits_for_flush else " -c synchronous_commit=off"),
            },
        )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(
        f"sqlite:///{settings.data_dir / 'read.sqlite3'}",
        connect_args={"check_same_thread": False, "timeout": 30},
        pool_size=pool_size,
        max_overflow=2 * pool_size,
        pool_timeout=settings.db_pool_timeout_s,
    )

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine
