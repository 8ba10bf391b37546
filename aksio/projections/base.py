"""The projection base class and the batch row cache that makes rebuilds fast.

A projection maps events to rows. It never writes SQL per event: it reads and
writes rows through `Rows`, which keeps them in memory for the batch and
flushes each table at once (see `bulk`), in the same transaction as the
projection's tracked position.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar, TypeVar

import sqlalchemy as sa
from eventsourcing.domain import DomainEvent
from sqlalchemy.engine import Connection

from aksio.projections.bulk import Key as Key
from aksio.projections.bulk import Row as Row
from aksio.projections.bulk import TableWriter

E = TypeVar("E", bound=DomainEvent)
F = TypeVar("F", bound=Callable[..., None])


def handles(*event_types: type[DomainEvent]) -> Callable[[F], F]:
    """Marks a projection method as the handler of the given event types."""

    def mark(method: F) -> F:
        method.__dict__["_handles"] = event_types
        return method

    return mark


class Projection:
    name: ClassVar[str]
    version: ClassVar[int] = 1
    tables: ClassVar[tuple[sa.Table, ...]]
    _dispatch: ClassVar[dict[type[DomainEvent], str]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        dispatch: dict[type[DomainEvent], str] = {}
        for klass in reversed(cls.__mro__):
            for attr, value in vars(klass).items():
                for event_type in getattr(value, "_handles", ()):
                    dispatch[event_type] = attr
        cls._dispatch = dispatch

    @classmethod
    def handled_types(cls) -> tuple[type[DomainEvent], ...]:
        return tuple(cls._dispatch)

    def apply(self, event: DomainEvent, rows: Rows) -> None:
        method = self._dispatch.get(type(event))
        if method is not None:
            getattr(self, method)(event, rows)


def _pk(table: sa.Table) -> list[sa.Column[Any]]:
    return list(table.primary_key.columns)


class Rows:
    """A write-back cache of read-model rows, owned by one projection runner.

    It may keep rows across batches because one runner at a time owns a
    projection's tables (see `locks`); `complete` means the cache holds every
    row written since the tables were emptied, so a miss needs no query, and
    a key it never flushed is not stored, so it needs no upsert (nor delete).
    """

    MAX_CACHED = 300_000
    COPY_FROM = 200  # fewer new rows of a table are upserted: COPY costs round trips

    def __init__(self) -> None:
        self.conn: Connection | None = None
        self._cache: dict[tuple[str, Key], Row | None] = {}
        self._dirty: dict[str, dict[Key, Row | None]] = {}
        self._tables: dict[str, sa.Table] = {}
        self._shapes: dict[str, tuple[tuple[tuple[str, Any], ...], tuple[str, ...]]] = {}
        self.complete: set[str] = set()
        self._stored: dict[str, set[Key]] = {}  # keys flushed, for complete tables
        self._writers: dict[tuple[str, str], TableWriter] = {}

    def _shape(self, table: sa.Table) -> tuple[tuple[tuple[str, Any], ...], tuple[str, ...]]:
        """Column names with their defaults, and key names: computed once per table."""
        shape = self._shapes.get(table.name)
        if shape is None:
            columns = tuple((c.name, _default(c)) for c in table.columns)
            shape = (columns, tuple(c.name for c in _pk(table)))
            self._shapes[table.name] = shape
            self._tables[table.name] = table
        return shape

    def begin(self, conn: Connection) -> None:
        self.conn = conn
        self._dirty = {}

    def reset(self, emptied: Iterable[sa.Table] = ()) -> None:
        self._cache.clear()
        self._dirty = {}
        self.complete = {t.name for t in emptied}
        self._stored = {name: set() for name in self.complete}

    def _key(self, table: sa.Table, key: Any) -> Key:
        return key if isinstance(key, tuple) else (key,)

    def get(self, table: sa.Table, key: Any) -> Row | None:
        k = self._key(table, key)
        try:
            row = self._cache[(table.name, k)]
        except KeyError:
            row = None if table.name in self.complete else self._select(table, k)
            self._cache[(table.name, k)] = row
        return dict(row) if row is not None else None

    def _select(self, table: sa.Table, key: Key) -> Row | None:
        assert self.conn is not None
        cond = sa.and_(*[c == v for c, v in zip(_pk(table), key, strict=True)])
        found = self.conn.execute(sa.select(table).where(cond)).mappings().first()
        return dict(found) if found is not None else None

    def put(self, table: sa.Table, row: Row) -> None:
        columns, keys = self._shape(table)
        full = {name: row.get(name, default) for name, default in columns}
        self._store(table.name, tuple(full[name] for name in keys), full)

    def _store(self, name: str, key: Key, row: Row | None) -> None:
        self._cache[(name, key)] = row
        dirty = self._dirty.get(name)
        if dirty is None:
            dirty = self._dirty[name] = {}
        dirty[key] = row

    def update(self, table: sa.Table, key: Any, **changes: Any) -> Row | None:
        """Changes some fields of an existing row; returns None when there is none."""
        k = self._key(table, key)
        cached = self._cache.get((table.name, k), ...)
        current = self.get(table, key) if cached is ... else cached
        if current is None:
            return None
        self._shape(table)
        row = {**current, **changes}
        self._store(table.name, k, row)
        return dict(row)

    def delete(self, table: sa.Table, key: Any) -> None:
        self._shape(table)
        self._store(table.name, self._key(table, key), None)

    def flush(self) -> None:
        conn = self.conn
        assert conn is not None
        for name, changes in self._dirty.items():
            writer = self._writer(name, conn)
            stored = self._stored.get(name)
            if stored is None:
                writer.delete(conn, [k for k, row in changes.items() if row is None])
                writer.upsert(conn, [row for row in changes.values() if row is not None])
                continue
            gone: list[Key] = []
            changed: list[Row] = []
            fresh: dict[Key, Row] = {}
            for key, row in changes.items():
                if key in stored:
                    if row is None:
                        gone.append(key)
                    else:
                        changed.append(row)
                elif row is not None:
                    fresh[key] = row
            writer.delete(conn, gone)
            writer.upsert(conn, changed)
            writer.insert_new(conn, list(fresh.values()), self.COPY_FROM)
            stored.difference_update(gone)
            stored.update(fresh)
        self._dirty = {}
        if len(self._cache) > self.MAX_CACHED:
            self._cache.clear()
            self.complete.clear()
            self._stored.clear()

    def _writer(self, name: str, conn: Connection) -> TableWriter:
        writer = self._writers.get((name, conn.dialect.name))
        if writer is None:
            writer = TableWriter(self._tables[name], conn.dialect)
            self._writers[(name, conn.dialect.name)] = writer
        return writer


def _default(column: sa.Column[Any]) -> Any:
    default = column.default
    if default is not None and getattr(default, "is_scalar", False):
        return getattr(default, "arg", None)
    return None
