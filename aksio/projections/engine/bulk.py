"""Writing a table's changed rows: deletes, upserts and, on PostgreSQL, COPY.

A row whose key was never written since its table was emptied cannot conflict
with a stored row, so on PostgreSQL many such rows go in with one binary COPY,
several times cheaper per row than an upsert. Other rows are upserted on
PostgreSQL by one statement per table whatever their number (each column an
array, `unnest`ed), prepared once per connection: a statement whose text changed
with the number of rows was parsed and planned again in almost every batch.
Values pass through the same SQLAlchemy bind processors an upsert uses, and
COPY or arrays are only used when every value has exactly the Python type its
column's binary format expects (a str for a text column, a UUID for a uuid one,
...); anything else goes through SQLAlchemy's upsert, so every path stores the
same values.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date, datetime
from operator import itemgetter
from typing import Any
from uuid import UUID

import psycopg
import sqlalchemy as sa
from psycopg import sql
from psycopg.types.json import Json, Jsonb
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Dialect

Row = dict[str, Any]
Key = tuple[Any, ...]
logger = logging.getLogger(__name__)

# PostgreSQL type name -> the Python types its binary COPY form is written from
_COPYABLE: dict[str, frozenset[type]] = {
    "uuid": frozenset({UUID}),
    "text": frozenset({str}),
    "varchar": frozenset({str}),
    "int2": frozenset({int}),
    "int4": frozenset({int}),
    "int8": frozenset({int}),
    "float8": frozenset({float, int}),
    "bool": frozenset({bool}),
    "date": frozenset({date}),
    "timestamptz": frozenset({datetime}),
    "json": frozenset({Json, Jsonb}),
    "jsonb": frozenset({Json, Jsonb}),
}
_COLUMN_TYPES = """
SELECT a.attname, t.typname, t.oid::int FROM pg_attribute a
JOIN pg_type t ON t.oid = a.atttypid
WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped
"""


class TableWriter:
    """Writes rows of one table through one dialect; built once per table."""

    DELETE_CHUNK = 500

    def __init__(self, table: sa.Table, dialect: Dialect) -> None:
        self.table = table
        self.names = tuple(c.name for c in table.columns)
        self.key_columns = list(table.primary_key.columns)
        self.can_copy = dialect.name == "postgresql"
        processors: list[tuple[int, Callable[[Any], Any]]] = []
        for index, column in enumerate(table.columns):
            process = column.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                processors.append((index, process))
        self.processors = tuple(processors)
        self.upsert_statement = _upsert(table, dialect.name)
        self.target = sql.Identifier(*filter(None, (table.schema, table.name)))
        self._copy_types: tuple[list[int], list[frozenset[type]]] | None = None
        self._floats: list[int] = []
        # The statement's text, composed once: psycopg would compose it again at each call.
        self._unnest_upsert: bytes | None = None
        self._select: bytes | None = None
        self._loaders: list[tuple[int, Callable[[Any], Any]]] | None = None

    def delete(self, conn: Connection, keys: Sequence[Key]) -> None:
        cols = self.key_columns
        for start in range(0, len(keys), self.DELETE_CHUNK):
            chunk = keys[start : start + self.DELETE_CHUNK]
            if len(cols) == 1:
                cond = cols[0].in_([k[0] for k in chunk])
            else:
                cond = sa.tuple_(*cols).in_(chunk)
            conn.execute(self.table.delete().where(cond))

    def upsert(self, conn: Connection, rows: Sequence[Row]) -> None:
        if not rows:
            return
        if self.can_copy:
            raw = conn.connection.driver_connection
            assert isinstance(raw, psycopg.Connection)
            oids, allowed = self._types(raw)
            values = self._values(rows) if oids else []
            statement = self._unnest_upsert
            if statement is not None and _misfit(self.names, values, allowed) is None:
                columns = [list(column) for column in zip(*values, strict=True)]
                for index in self._floats:  # an array holds one type: 1 and 2.5 as floats
                    columns[index] = [v if v is None else float(v) for v in columns[index]]
                try:
                    raw.execute(statement, columns, prepare=True)
                except psycopg.Error as error:  # as SQLAlchemy would raise it
                    text = statement.decode()
                    raise sa.exc.DBAPIError.instance(text, None, error, psycopg.Error) from error
                return
        conn.execute(self.upsert_statement, list(rows))

    def select(self, conn: Connection, keys: Sequence[Any]) -> list[Row] | None:
        """The stored rows of these one-column keys, as SQLAlchemy would give them, by one
        prepared statement on PostgreSQL; None where that does not apply (the caller then
        asks SQLAlchemy)."""
        if not self.can_copy or len(self.key_columns) != 1:
            return None
        raw = conn.connection.driver_connection
        assert isinstance(raw, psycopg.Connection)
        self._types(raw)
        if self._select is None:
            return None
        cursor = raw.execute(self._select, [list(keys)], prepare=True, binary=True)
        found = cursor.fetchall()
        if self._loaders is None:
            self._loaders = _result_processors(self.table, conn.dialect, cursor)
        names = self.names
        rows = [dict(zip(names, values, strict=True)) for values in found]
        for index, process in self._loaders:
            name = names[index]
            for row in rows:
                row[name] = process(row[name])
        return rows

    def insert_new(self, conn: Connection, rows: Sequence[Row], copy_from: int) -> None:
        """Writes rows whose keys are not stored: by COPY from `copy_from` rows on."""
        if not rows:
            return
        if not self.can_copy or len(rows) < copy_from:
            self.upsert(conn, rows)
            return
        raw = conn.connection.driver_connection
        assert isinstance(raw, psycopg.Connection)
        oids, allowed = self._types(raw)
        values = self._values(rows) if oids else []
        misfit = _misfit(self.names, values, allowed) if oids else "?"
        if misfit is not None:
            logger.debug("rows of %s are upserted: see column %s", self.table.name, misfit)
            self.upsert(conn, rows)
            return
        statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
            self.target, sql.SQL(", ").join(sql.Identifier(name) for name in self.names)
        )
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            copy.set_types(oids)
            for row in values:
                copy.write_row(row)

    def _values(self, rows: Sequence[Row]) -> list[list[Any]]:
        """Each row's values in column order, as the upsert would bind them."""
        if len(self.names) == 1:
            values = [[row[self.names[0]]] for row in rows]
        else:
            get = itemgetter(*self.names)
            values = [list(get(row)) for row in rows]
        for index, process in self.processors:
            for row_values in values:
                row_values[index] = process(row_values[index])
        return values

    def _types(self, raw: psycopg.Connection[Any]) -> tuple[list[int], list[frozenset[type]]]:
        """The columns' type oids and accepted Python types; no oids if one is not copyable."""
        if self._copy_types is None:
            found = {
                name: (typname, oid)
                for name, typname, oid in raw.execute(
                    _COLUMN_TYPES, (self.target.as_string(raw),)
                ).fetchall()
            }
            oids: list[int] = []
            allowed: list[frozenset[type]] = []
            for name in self.names:
                typname, oid = found[name]
                if typname not in _COPYABLE:
                    logger.info("%s is upserted: %s is %s", self.table.name, name, typname)
                    oids, allowed = [], []
                    break
                oids.append(oid)
                allowed.append(_COPYABLE[typname] | {type(None)})
            self._copy_types = (oids, allowed)
            typnames = [found[name][0] for name in self.names]
            self._floats = [i for i, typname in enumerate(typnames) if typname == "float8"]
            if oids:
                composed = _unnest_upsert(self.table, self.target, typnames)
                self._unnest_upsert = composed.as_bytes(raw)
            (key,) = self.key_columns if len(self.key_columns) == 1 else (None,)
            if key is not None:
                self._select = (
                    sql.SQL("SELECT {} FROM {} WHERE {} = ANY(%b::{}[])")
                    .format(
                        sql.SQL(", ").join(map(sql.Identifier, self.names)),
                        self.target,
                        sql.Identifier(key.name),
                        sql.Identifier(found[key.name][0]),
                    )
                    .as_bytes(raw)
                )
        return self._copy_types


def _result_processors(
    table: sa.Table, dialect: Dialect, cursor: psycopg.Cursor[Any]
) -> list[tuple[int, Callable[[Any], Any]]]:
    """The result processors SQLAlchemy would apply to the columns of this cursor's rows."""
    found: list[tuple[int, Callable[[Any], Any]]] = []
    description = cursor.description or []
    for index, (column, described) in enumerate(zip(table.columns, description, strict=True)):
        impl = column.type.dialect_impl(dialect)
        process = impl.result_processor(dialect, described.type_code)
        if process is not None:
            found.append((index, process))
    return found


def _misfit(
    names: Sequence[str], values: list[list[Any]], allowed: list[frozenset[type]]
) -> str | None:
    """The first column holding a value of another type than its COPY form expects."""
    for name, types, column in zip(names, allowed, zip(*values, strict=True), strict=True):
        if not types.issuperset(map(type, column)):
            return name
    return None


def _unnest_upsert(table: sa.Table, target: sql.Identifier, types: list[str]) -> sql.Composed:
    """The upsert of `_upsert` with each column's values as one array parameter."""
    names = [c.name for c in table.columns]
    keys = [c.name for c in table.primary_key.columns]
    arrays = sql.SQL(", ").join(sql.SQL("%b::{}[]").format(sql.Identifier(t)) for t in types)
    columns = sql.SQL(", ").join(map(sql.Identifier, names))
    conflict = sql.SQL(", ").join(map(sql.Identifier, keys))
    others = [n for n in names if n not in keys]
    action: sql.Composable = sql.SQL("DO NOTHING")
    if others:
        action = sql.SQL("DO UPDATE SET ") + sql.SQL(", ").join(
            sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(n)) for n in others
        )
    return sql.SQL("INSERT INTO {} ({}) SELECT * FROM unnest({}) ON CONFLICT ({}) {}").format(
        target, columns, arrays, conflict, action
    )


def _upsert(table: sa.Table, dialect: str) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table)
    keys = [c.name for c in table.primary_key.columns]
    others = {c.name: stmt.excluded[c.name] for c in table.columns if c.name not in keys}
    if not others:
        upsert = stmt.on_conflict_do_nothing(index_elements=keys)
    else:
        upsert = stmt.on_conflict_do_update(index_elements=keys, set_=others)
    # With RETURNING, SQLAlchemy sends many rows as one multi-row statement (pages of 1,000
    # rows; without it, one statement per row): PostgreSQL plans and runs one, not hundreds.
    # A batch holds each key once, so no statement changes a row twice.
    return upsert.returning(*table.primary_key.columns) if dialect == "postgresql" else upsert
