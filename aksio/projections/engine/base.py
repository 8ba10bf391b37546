"""The projection base class and the batch row cache that makes rebuilds fast.

A projection maps events to rows. It never writes SQL per event: it reads and
writes rows through `Rows`, which keeps them in memory for the batch and
flushes each table at once (see `bulk`), in the same transaction as the
projection's tracked position.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from operator import itemgetter
from typing import Any, ClassVar, TypeVar
from uuid import UUID

import sqlalchemy as sa
from eventsourcing.domain import DomainEvent
from sqlalchemy.engine import Connection

from aksio.projections.engine.bulk import Key as Key
from aksio.projections.engine.bulk import Row as Row
from aksio.projections.engine.bulk import TableWriter

E = TypeVar("E", bound=DomainEvent)
F = TypeVar("F", bound=Callable[..., None])
_MISSING: Any = object()
CacheKey = int | tuple[Any, ...]  # see `_key`
Changes = dict[str, dict[CacheKey, Row | None]]  # table name -> key -> row, None if deleted


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

    def needs(self, event: DomainEvent) -> tuple[sa.Table, Any] | None:
        """The row (table, key) applying `event` reads, if any: a batch loads every row its
        events need with one query per table (`Rows.load`), not one query per event."""
        return None

    def apply(self, event: DomainEvent, rows: Rows) -> None:
        method = self._dispatch.get(type(event))
        if method is not None:
            getattr(self, method)(event, rows)


def _pk(table: sa.Table) -> list[sa.Column[Any]]:
    return list(table.primary_key.columns)


class _Shape:
    """A table's columns with their defaults, and how to get a row's key."""

    __slots__ = ("defaults", "key_of", "width")

    def __init__(self, table: sa.Table) -> None:
        self.defaults = {c.name: _default(c) for c in table.columns}
        self.width = len(self.defaults)
        names = [c.name for c in _pk(table)]
        if len(names) == 1:
            (name,) = names
            self.key_of: Callable[[Row], CacheKey] = lambda row: _key(row[name])
        else:
            self.key_of = itemgetter(*names)


class Rows:
    """A write-back cache of read-model rows, owned by one projection runner.

    It may keep rows across batches because one runner at a time owns a
    projection's tables (see `locks`); `complete` means the cache holds every
    row written since the tables were emptied, so a miss needs no query, and
    a key it never flushed is not stored, so it needs no upsert (nor delete).
    Rows are handed out as copies: a handler changes them through `update`.
    """

    MAX_CACHED = 300_000
    COPY_FROM = 200  # fewer new rows of a table are upserted: COPY costs round trips

    def __init__(self) -> None:
        self.conn: Connection | None = None
        self._cache: dict[str, dict[CacheKey, Row | None]] = {}
        self._dirty: dict[str, dict[CacheKey, Row | None]] = {}
        self._tables: dict[str, sa.Table] = {}
        self._shapes: dict[str, _Shape] = {}
        self.complete: set[str] = set()
        self._stored: dict[str, set[CacheKey]] = {}  # keys flushed, for complete tables
        self._writers: dict[tuple[str, str], TableWriter] = {}

    def begin(self, conn: Connection) -> None:
        self.conn = conn
        self._dirty = {}

    def reset(self, emptied: Iterable[sa.Table] = ()) -> None:
        self._cache = {}
        self._dirty = {}
        self.complete = {t.name for t in emptied}
        self._stored = {name: set() for name in self.complete}

    def get(self, table: sa.Table, key: Any) -> Row | None:
        k = _key(key)
        cache = self._cache.get(table.name)
        if cache is None:
            cache = self._cache[table.name] = {}
        row = cache.get(k, _MISSING)
        if row is _MISSING:
            row = cache[k] = self._load(table, k)
        return None if row is None else row.copy()

    def load(self, table: sa.Table, keys: Iterable[Any]) -> None:
        """Brings the rows of these keys (one-column keys) into the cache in one query."""
        if table.name in self.complete:
            return
        cache = self._cache.setdefault(table.name, {})
        missing = {k: key for key in keys if (k := _key(key)) not in cache}
        if not missing:
            return
        assert self.conn is not None
        (column,) = _pk(table)
        writer = self._writer(table, self.conn)
        for start in range(0, len(missing), 1000):
            chunk = list(missing.items())[start : start + 1000]
            keys = [key for _, key in chunk]
            rows = writer.select(self.conn, keys)
            if rows is None:
                query = sa.select(table).where(column.in_(keys))
                rows = [dict(row) for row in self.conn.execute(query).mappings()]
            found = {_key(row[column.name]): row for row in rows}
            for k, _ in chunk:
                cache[k] = found.get(k)

    def _load(self, table: sa.Table, key: CacheKey) -> Row | None:
        if table.name in self.complete:
            return None
        assert self.conn is not None
        cond = sa.and_(*[c == v for c, v in zip(_pk(table), _sql_key(key), strict=True)])
        found = self.conn.execute(sa.select(table).where(cond)).mappings().first()
        return dict(found) if found is not None else None

    def put(self, table: sa.Table, row: Row) -> None:
        name = table.name
        shape = self._shapes.get(name)
        if shape is None:
            shape = self._shapes[name] = _Shape(table)
        full = {**shape.defaults, **row}
        if len(full) != shape.width:  # names that are not columns are left out
            full = {column: full[column] for column in shape.defaults}
        key = shape.key_of(full)
        cache = self._cache.get(name)
        if cache is None:
            cache = self._cache[name] = {}
        cache[key] = full
        dirty = self._dirty.get(name)
        if dirty is None:
            dirty = self._dirtied(table)
        dirty[key] = full

    def update(self, table: sa.Table, key: Any, **changes: Any) -> Row | None:
        """Changes some fields of an existing row; returns None when there is none."""
        name = table.name
        k = _key(key)
        cache = self._cache.get(name)
        if cache is None:
            cache = self._cache[name] = {}
        current = cache.get(k, _MISSING)
        if current is _MISSING:
            current = cache[k] = self._load(table, k)
        if current is None:
            return None
        row = {**current, **changes}
        cache[k] = row
        dirty = self._dirty.get(name)
        if dirty is None:
            dirty = self._dirtied(table)
        dirty[k] = row
        return row.copy()

    def delete(self, table: sa.Table, key: Any) -> None:
        k = _key(key)
        cache = self._cache.get(table.name)
        if cache is None:
            cache = self._cache[table.name] = {}
        cache[k] = None
        dirty = self._dirty.get(table.name)
        if dirty is None:
            dirty = self._dirtied(table)
        dirty[k] = None

    def _dirtied(self, table: sa.Table) -> dict[CacheKey, Row | None]:
        self._tables[table.name] = table
        dirty: dict[CacheKey, Row | None] = {}
        self._dirty[table.name] = dirty
        return dirty

    def flush(self) -> None:
        """Writes this batch's changes through the connection given to `begin`."""
        assert self.conn is not None
        self.write(self.conn, self.detach())
        if self.oversized():
            self.forget()

    def detach(self) -> Changes:
        """This batch's changed rows (None: deleted); the next batch starts with none."""
        changes, self._dirty = self._dirty, {}
        return changes

    def write(self, conn: Connection, changes: Changes) -> None:
        """Writes detached changes; batches are written in the order they were detached."""
        for name, rows in changes.items():
            writer = self._writer(self._tables[name], conn)
            stored = self._stored.get(name)
            if stored is None:
                writer.delete(conn, [_sql_key(k) for k, row in rows.items() if row is None])
                writer.upsert(conn, [row for row in rows.values() if row is not None])
                continue
            gone: list[CacheKey] = []
            changed: list[Row] = []
            fresh: dict[CacheKey, Row] = {}
            for key, row in rows.items():
                if key in stored:
                    if row is None:
                        gone.append(key)
                    else:
                        changed.append(row)
                elif row is not None:
                    fresh[key] = row
            writer.delete(conn, [_sql_key(k) for k in gone])
            writer.upsert(conn, changed)
            writer.insert_new(conn, list(fresh.values()), self.COPY_FROM)
            stored.difference_update(gone)
            stored.update(fresh)

    def oversized(self) -> bool:
        return sum(map(len, self._cache.values())) > self.MAX_CACHED

    def forget(self) -> None:
        """Drops the cached rows; only once every detached change is written."""
        self._cache = {}
        self.complete.clear()
        self._stored.clear()

    def _writer(self, table: sa.Table, conn: Connection) -> TableWriter:
        writer = self._writers.get((table.name, conn.dialect.name))
        if writer is None:
            writer = TableWriter(table, conn.dialect)
            self._writers[(table.name, conn.dialect.name)] = writer
        return writer


def _key(key: Any) -> CacheKey:
    """A row key as the cache holds it: a UUID as its int, which hashes without
    running Python code (rows are looked up several times per event), else a tuple."""
    if isinstance(key, UUID):
        return key.int
    if isinstance(key, tuple):
        return key[0].int if len(key) == 1 and isinstance(key[0], UUID) else key
    return (key,)


def _sql_key(key: CacheKey) -> Key:
    return (UUID(int=key),) if isinstance(key, int) else key


def _default(column: sa.Column[Any]) -> Any:
    default = column.default
    if default is not None and getattr(default, "is_scalar", False):
        return getattr(default, "arg", None)
    return None
