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

from collections.abc import Sequence
from functools import cached_property
from typing import Any
from uuid import UUID

from eventsourcing.persistence import InterfaceError, Notification, OperationalError, StoredEvent
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
    PostgresDatastore,
)
from eventsourcing.utils import retry
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

CHUNK = 1000
APPEND_FUNCTION = "aksio_append"


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

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
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

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
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
