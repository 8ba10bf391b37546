"""Rows written to emptied tables (by COPY on PostgreSQL) equal upserted rows, and stay right."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from uuid import uuid4

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from aksio.projections.engine.base import Row, Rows
from aksio.projections.engine.db import UtcDateTime, make_engine
from aksio.settings import Settings

metadata = sa.MetaData()


def every_type(name: str) -> sa.Table:
    """A table with every column type the read models use."""
    return sa.Table(
        name,
        metadata,
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("ref", sa.Uuid),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("code", sa.String(20)),
        sa.Column("body", sa.Text),
        sa.Column("data", sa.JSON),
        sa.Column("source", sa.JSON(none_as_null=True)),
        sa.Column("at", UtcDateTime),
        sa.Column("count", sa.Integer, nullable=False, default=0),
        sa.Column("total", sa.BigInteger),
        sa.Column("day", sa.Date),
        sa.Column("ratio", sa.Float),
        sa.Column("flag", sa.Boolean),
    )


copied, upserted = every_type("t_bulk_copied"), every_type("t_bulk_upserted")
pairs = sa.Table(
    "t_bulk_pairs",
    metadata,
    sa.Column("owner", sa.Uuid, primary_key=True),
    sa.Column("tag", sa.String, primary_key=True),
    sa.Column("note", sa.String),
)


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings, pool_size=2)
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def rows_for(table: sa.Table, *, copy: bool) -> Rows:
    rows = Rows()
    rows.COPY_FROM = 1
    rows.reset(emptied=[table] if copy else [])
    return rows


def write(engine: Engine, rows: Rows, *changes: Callable[[Rows], object]) -> None:
    """Applies the changes as one batch and flushes it."""
    with engine.begin() as conn:
        rows.begin(conn)
        for change in changes:
            change(rows)
        rows.flush()


def put(table: sa.Table, **row: Any) -> Callable[[Rows], None]:
    return lambda rows: rows.put(table, row)


def update(table: sa.Table, key: Any, **changes: Any) -> Callable[[Rows], object]:
    return lambda rows: rows.update(table, key, **changes)


def delete(table: sa.Table, key: Any) -> Callable[[Rows], None]:
    return lambda rows: rows.delete(table, key)


def stored(engine: Engine, table: sa.Table) -> list[Row]:
    with engine.connect() as conn:
        found = conn.execute(sa.select(table).order_by(*table.primary_key.columns)).mappings()
        return [dict(row) for row in found]


def as_text(engine: Engine, table: sa.Table) -> list[tuple[Any, ...]]:
    """Each value as the database prints it (tells JSON null from SQL NULL)."""
    columns = [sa.cast(c, sa.Text) for c in table.columns]
    with engine.connect() as conn:
        query = sa.select(*columns).order_by(*table.primary_key.columns)
        return [tuple(row) for row in conn.execute(query)]


def samples() -> list[Row]:
    ids = sorted(uuid4() for _ in range(6))
    plus_two = timezone(timedelta(hours=2))
    text = "tab\tnewline\nback\\slash \\N quote' \"\u00e6\u00f8\u00e5 \U0001f600"
    full = {
        "ref": uuid4(),
        "name": text,
        "code": "X" * 20,
        "body": text,
        "data": {"a": [1, 2.5, None, text]},
        "source": {"nested": {"null": None}},
        "at": datetime(2025, 1, 13, 9, 30, 0, 123456, UTC),
        "count": -(2**31),
        "total": 2**63 - 1,
        "day": date(2025, 1, 13),
        "ratio": 0.1,
        "flag": True,
    }
    edges = {
        "name": "",
        "code": "",
        "body": "",
        "data": None,
        "source": None,
        "at": datetime(2025, 6, 1, 23, 59, 59, 999999, plus_two),
        "count": 2**31 - 1,
        "total": -(2**63),
        "day": date(1, 1, 1),
        "ratio": 1e300,
        "flag": False,
    }
    return [
        {"id": ids[0], "name": "only the required columns"},
        {"id": ids[1], **full},
        {"id": ids[2], **edges},
        {"id": ids[3], "name": "json scalars", "data": "text", "source": 3, "ratio": 3, "total": 0},
        {"id": ids[4], "name": "json lists", "data": [], "source": [{}], "ratio": -0.0},
        {"id": ids[5], "name": "a float for an integer", "count": 2.0, "data": {"k": "v"}},
    ]


def test_copied_rows_equal_upserted_rows(engine: Engine, backend: str) -> None:
    given = samples()
    to_copy, to_upsert = rows_for(copied, copy=True), rows_for(upserted, copy=False)
    write(engine, to_copy, *[put(copied, **row) for row in given[:5]])
    write(engine, to_copy, put(copied, **given[5]))
    write(engine, to_upsert, *[put(upserted, **row) for row in given])
    assert stored(engine, copied) == stored(engine, upserted)
    first = stored(engine, copied)[1]
    assert first["at"] == datetime(2025, 1, 13, 9, 30, 0, 123456, UTC)
    assert first["data"] == given[1]["data"]
    assert stored(engine, copied)[5]["count"] == 2
    if backend == "postgres":
        assert as_text(engine, copied) == as_text(engine, upserted)


def test_keys_written_once_are_then_updated_and_deleted(engine: Engine) -> None:
    rows = rows_for(copied, copy=True)
    a, b, c, d = sorted(uuid4() for _ in range(4))
    write(engine, rows, put(copied, id=a, name="a"), put(copied, id=b, name="b"))
    write(
        engine, rows,
        update(copied, a, count=1),  # stored: upserted
        delete(copied, b),  # stored: deleted
        put(copied, id=c, name="c"),  # new: copied
        put(copied, id=d, name="d"), delete(copied, d),  # never stored
    )  # fmt: skip
    assert [(r["id"], r["name"], r["count"]) for r in stored(engine, copied)] == [
        (a, "a", 1), (c, "c", 0),
    ]  # fmt: skip
    write(engine, rows, put(copied, id=b, name="b again"), delete(copied, c))
    write(engine, rows, update(copied, b, name="b renamed"))
    assert [(r["id"], r["name"]) for r in stored(engine, copied)] == [(a, "a"), (b, "b renamed")]


def test_composite_keys_through_copy(engine: Engine) -> None:
    rows = rows_for(pairs, copy=True)
    owner = uuid4()
    write(engine, rows, *[put(pairs, owner=owner, tag=t) for t in "abc"])
    write(engine, rows, delete(pairs, (owner, "b")), update(pairs, (owner, "c"), note="n"))
    found = [(r["tag"], r["note"]) for r in stored(engine, pairs)]
    assert found == [("a", None), ("c", "n")]


def test_after_a_failed_batch_rows_are_looked_up_again(engine: Engine) -> None:
    rows = rows_for(copied, copy=True)
    key = uuid4()
    write(engine, rows, put(copied, id=key, name="kept"))
    with pytest.raises(RuntimeError):
        write(engine, rows, delete(copied, key), lambda _: _fail())
    rows.reset()  # as the runner does when a batch fails
    assert [r["name"] for r in stored(engine, copied)] == ["kept"]
    write(engine, rows, update(copied, key, name="renamed"), put(copied, id=uuid4(), name="new"))
    assert sorted(r["name"] for r in stored(engine, copied)) == ["new", "renamed"]


def _fail() -> None:
    raise RuntimeError("the batch fails after its changes")


def test_a_key_given_alone_or_as_a_one_tuple_is_the_same_row(engine: Engine) -> None:
    rows = rows_for(copied, copy=False)
    key, text_key = uuid4(), (uuid4(), "tag")
    with engine.begin() as conn:
        rows.begin(conn)
        rows.put(copied, {"id": key, "name": "one"})
        rows.put(pairs, {"owner": text_key[0], "tag": "tag"})
        assert rows.update(copied, (key,), name="two") == rows.get(copied, key)
        assert rows.get(pairs, text_key) is not None
        rows.delete(copied, (key,))
        assert rows.get(copied, key) is None
        rows.flush()
    assert stored(engine, copied) == []
