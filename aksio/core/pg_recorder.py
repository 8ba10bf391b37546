"""The PostgreSQL recorder, with large appends split into several statements.

The library sends one append as a single array parameter through psycopg's
pipeline mode, which stalls on parameters of tens of megabytes (an import of a
whole review history is that big). Large appends here run as several inserts
inside the same transaction, under the same table lock, so they stay atomic and
ordered exactly as the library's own appends are.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder, PostgresApplicationRecorder

CHUNK = 1000


class ChunkingPostgresRecorder(PostgresApplicationRecorder):
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if len(stored_events) <= CHUNK or kwargs.get("tracking") is not None:
            ids_of_small: Sequence[int] | None = super().insert_events(stored_events, **kwargs)
            return ids_of_small
        ids: list[int] = []
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            self._lock_table(curs)
            self._notify_channel(curs)
            for start in range(0, len(stored_events), CHUNK):
                chunk = stored_events[start : start + CHUNK]
                PostgresAggregateRecorder._insert_stored_events(self, curs, chunk)
                ids.extend(self._fetch_ids_after_insert_events(curs, chunk) or [])
        return ids
