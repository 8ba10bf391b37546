"""The PostgreSQL recorder: an append in one statement, large appends in several.

The library's append is a pipeline of five statements in a transaction (lock
timeout, table lock, NOTIFY, insert, commit). Here a small append is one call of
a function that does the same four things (`aksio_append`, created with the
table), in one round trip and one implicit transaction, on a prepared statement.
The library sends one append as a single array parameter through psycopg's
pipeline mode, which stalls on parameters of tens of megabytes (an import of a
whole review history is that big). Large appends here run as several inserts
inside the same transaction, under the same table lock, so they stay atomic and
ordered exactly as the library's own appends are. Pages of the log are read with
the library's query but cheaper rows (see `select_notifications`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from functools import cached_property, wraps
from typing import Any, TypeVar, cast
from uuid import UUID

from eventsourcing.persistence import InterfaceError, Notification, OperationalError, StoredEvent
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
    PostgresDatastore,
)
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

CHUNK = 1000
APPEND_FUNCTION = "aksio_append"
RETRY_WAIT_S = 0.2  # between attempts of a call that met a connection error, as the library
MAX_ATTEMPTS = 10

F = TypeVar("F", bound=Callable[..., Any])


def bounded_retry(method: F) -> F:
    """The library's retry of a call that meets a connection error (10 attempts, 0.2 s
    apart), also bounded by the pool's wait (`AKSIO_DB_POOL_TIMEOUT_S`) from the first
    attempt: a dropped connection is replaced at once, but when the server is down, each
    attempt waits that long for a connection, and ten of them held a request for 20 s."""
    inner = getattr(method, "__wrapped__", method)  # undo the library's own retry

    @wraps(inner)
    def call(self: ChunkingPostgresRecorder, *args: Any, **kwargs: Any) -> Any:
        began = time.monotonic()
        window = self.datastore.pool.timeout
        attempts = 0
        while True:
            try:
                return inner(self, *args, **kwargs)
            except (InterfaceError, OperationalError):
                attempts += 1
                waited = time.monotonic() - began + RETRY_WAIT_S
                if attempts >= MAX_ATTEMPTS or waited >= window:
                    raise
                time.sleep(RETRY_WAIT_S)

    return cast(F, call)


class ChunkingPostgresRecorder(PostgresApplicationRecorder):
    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        names = {
            "schema": Identifier(self.datastore.schema),
            "table": Identifier(self.events_table_name),
            "event": Identifier(self.stored_event_type_name),
            "channel": Identifier(self.channel_name),
            "append": Identifier(APPEND_FUNCTION),
        }
        self.sql_create_statements.append(
            SQL(
                "CREATE OR REPLACE FUNCTION {schema}.{append}(events {schema}.{event}[]) "
                "RETURNS SETOF bigint LANGUAGE plpgsql AS $$ BEGIN "
                "SET LOCAL lock_timeout = '{lock_timeout}s'; "
                "LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; "
                "NOTIFY {channel}; "
                "RETURN QUERY INSERT INTO {schema}.{table} "
                "(originator_id, originator_version, topic, state) "
                "SELECT originator_id, originator_version, topic, state FROM unnest(events) "
                "RETURNING notification_id; "
                "END; $$"
            ).format(lock_timeout=self.datastore.lock_timeout, **names)
        )
        # Composed once to text (UTF-8, as the library's connections are): psycopg would
        # compose a `Composed` again at every call.
        self._append = SQL("SELECT * FROM {schema}.{append}(%s)").format(**names).as_bytes()
        self._after = (
            SQL(
                "SELECT e.originator_id, e.originator_version, e.topic, e.state "
                "FROM {schema}.{table} e JOIN unnest(%s::uuid[], %s::bigint[]) AS w(id, after) "
                "ON e.originator_id = w.id AND e.originator_version > w.after "
                "ORDER BY e.originator_id, e.originator_version"
            )
            .format(**names)
            .as_bytes()
        )

    # The library's calls a request makes, under the bounded retry.
    max_notification_id = bounded_retry(PostgresApplicationRecorder.max_notification_id)
    select_events = bounded_retry(PostgresApplicationRecorder.select_events)

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if kwargs.get("tracking") is not None:
            ids_tracked: Sequence[int] | None = super().insert_events(stored_events, **kwargs)
            return ids_tracked
        if len(stored_events) <= CHUNK:
            appended: Sequence[int] = self._append_small(stored_events)
            return appended
        ids: list[int] = []
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            self._lock_table(curs)
            self._notify_channel(curs)
            for start in range(0, len(stored_events), CHUNK):
                chunk = stored_events[start : start + CHUNK]
                PostgresAggregateRecorder._insert_stored_events(self, curs, chunk)
                ids.extend(self._fetch_ids_after_insert_events(curs, chunk) or [])
        return ids

    @bounded_retry
    def _append_small(self, stored_events: Sequence[StoredEvent]) -> Sequence[int]:
        """The append as one statement (the connection is in autocommit: one transaction)."""
        if not stored_events:
            return []
        events = [
            self.construct_pg_stored_event(e.originator_id, e.originator_version, e.topic, e.state)
            for e in stored_events
        ]
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(self._append, (events,), prepare=True)
            return [row[0] for row in curs.fetchall()]

    @bounded_retry
    def select_events_after(self, versions: dict[UUID, int]) -> list[StoredEvent]:
        """Several aggregates' events after a version each, in one query (see `loading`)."""
        params = (list(versions), list(versions.values()))
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(self._after, params, prepare=True)
            return [
                StoredEvent(originator_id=i, originator_version=v, topic=t, state=bytes(s))
                for i, v, t, s in curs.fetchall()
            ]

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        """The library's query for the common page (`start` and `limit` only), with rows read
        as tuples and notifications built without the dataclass constructor: a replay reads
        every stored event through here."""
        if start is None or stop is not None or topics:
            page: Sequence[Notification] = super().select_notifications(
                start, limit, stop, topics, inclusive_of_start=inclusive_of_start
            )
            return page
        statement = self._page_statement[inclusive_of_start]
        new, cls = object.__new__, Notification
        notifications: list[Notification] = []
        append = notifications.append
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(statement, (start, limit), prepare=True, binary=True)
            for id_, originator_id, version, topic, state in curs.fetchall():
                notification = new(cls)
                notification.__dict__.update(
                    originator_id=originator_id,
                    originator_version=version,
                    topic=topic,
                    state=state if type(state) is bytes else bytes(state),
                    id=id_,
                )
                append(notification)
        return notifications

    @cached_property
    def _page_statement(self) -> dict[bool, bytes]:
        columns = "notification_id, originator_id, originator_version, topic, state"
        table = SQL("{schema}.{table}").format(
            schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name)
        )
        return {
            inclusive: SQL("SELECT " + columns + " FROM {table} WHERE notification_id "
                           + (">=" if inclusive else ">")
                           + " %s ORDER BY notification_id LIMIT %s").format(table=table)
                              .as_bytes()
            for inclusive in (True, False)
        }  # fmt: skip
