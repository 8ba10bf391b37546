"""Read-model query helpers: page-number pagination and single rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from aksio.projections.engine.base import Row


@dataclass(frozen=True)
class Page:
    count: int
    page: int
    page_size: int
    rows: list[Row]

    @property
    def has_next(self) -> bool:
        return self.page * self.page_size < self.count


# SQLite and PostgreSQL both take LIMIT and OFFSET as signed 64-bit integers.
MAX_SQL_INT = 2**63 - 1


def paged(conn: Connection, query: sa.Select[Any], page: int, page_size: int) -> Page:
    count_query = sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    count = int(conn.execute(count_query).scalar_one())
    offset = (page - 1) * page_size
    if offset >= count or page_size > MAX_SQL_INT:
        # Past the end (or beyond what the database can bind): nothing to read.
        return Page(count=count, page=page, page_size=page_size, rows=[])
    rows = conn.execute(query.limit(page_size).offset(offset)).mappings().all()
    return Page(count=count, page=page, page_size=page_size, rows=[dict(r) for r in rows])


def first_row(conn: Connection, query: sa.Select[Any]) -> Row | None:
    """The query's first row as a dict, or None."""
    found = conn.execute(query).mappings().first()
    return dict(found) if found is not None else None
