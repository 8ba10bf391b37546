"""Study sessions grouped by the learner's local day and hour, at query time.

The learner's zone is read when the question is asked (from the accounts read
model), never stored in learning rows, so changing it re-reads all history in
the new zone. The database groups by `(started_s + offset) / 86400` with the
offset chosen per stretch of constant UTC offset (see `localtime`), which is
exact across daylight-saving changes and returns one row per day or hour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from aksio.aggregates.learning.localtime import (
    DAY_SECONDS,
    from_day_number,
    offset_periods,
    unix_seconds,
    zone,
)
from aksio.projections import accounts as accounts_read_model
from aksio.projections.learning.tables import study_sessions as s


def user_zone(conn: Connection, owner_id: UUID) -> ZoneInfo:
    """The learner's profile zone; UTC while the accounts read model has no profile for them."""
    profile = accounts_read_model.get_profile(conn, owner_id)
    name = profile.get("timezone") if isinstance(profile, dict) else None
    return zone(name if isinstance(name, str) else None)


@dataclass
class Totals:
    sessions: int = 0
    seconds: int = 0
    rating_sum: int = 0
    rated: int = 0
    first_start_s: int = 0
    last_end_s: int = 0

    @property
    def hours(self) -> float:
        return self.seconds / 3600

    @property
    def average_rating(self) -> float | None:
        return round(self.rating_sum / self.rated, 2) if self.rated else None

    def add(self, other: Totals) -> None:
        firsts = [t for t in (self.first_start_s, other.first_start_s) if t]
        self.first_start_s = min(firsts, default=0)
        self.last_end_s = max(self.last_end_s, other.last_end_s)
        self.sessions += other.sessions
        self.seconds += other.seconds
        self.rating_sum += other.rating_sum
        self.rated += other.rated


def _where(owner_id: UUID, start_s: int, end_s: int, plan_id: UUID | None) -> list[Any]:
    conds = [s.c.owner_id == owner_id, s.c.status == "completed"]
    conds += [s.c.started_s >= start_s, s.c.started_s < end_s]
    if plan_id is not None:
        conds.append(s.c.plan_id == plan_id)
    return conds


def _local_seconds(periods: list[tuple[int, int, int]]) -> Any:
    if len(periods) == 1:
        return s.c.started_s + periods[0][2]
    whens = [(s.c.started_s < end, s.c.started_s + offset) for _, end, offset in periods[:-1]]
    return sa.case(*whens, else_=s.c.started_s + periods[-1][2])


def first_session_s(conn: Connection, owner_id: UUID) -> int | None:
    query = sa.select(sa.func.min(s.c.started_s)).where(
        s.c.owner_id == owner_id, s.c.status == "completed"
    )
    found = conn.execute(query).scalar()
    return int(found) if found is not None else None


def _grouped(
    conn: Connection,
    owner_id: UUID,
    tz: ZoneInfo,
    span: tuple[int, int],
    bucket: Any,
    plan_id: UUID | None,
) -> dict[int, Totals]:
    key = bucket(_local_seconds(offset_periods(span[0], span[1], tz))).label("k")
    rated = sa.case((s.c.productivity_rating.is_not(None), 1), else_=0)
    query = (
        sa.select(
            key,
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(s.c.duration_seconds), 0),
            sa.func.coalesce(sa.func.sum(s.c.productivity_rating), 0),
            sa.func.sum(rated),
            sa.func.min(s.c.started_s),
            sa.func.max(s.c.started_s + s.c.duration_seconds),
        )
        .where(*_where(owner_id, span[0], span[1], plan_id))
        .group_by(key)
    )
    out: dict[int, Totals] = {}
    for k, *values in conn.execute(query):
        out[int(k)] = Totals(*(int(v or 0) for v in values))
    return out


def _day_key(local_s: Any) -> Any:
    return local_s // DAY_SECONDS


def _hour_key(local_s: Any) -> Any:
    return (local_s % DAY_SECONDS) // 3600


def _span(start: datetime | None, end: datetime, first: int | None) -> tuple[int, int] | None:
    start_s = unix_seconds(start) if start is not None else first
    end_s = unix_seconds(end)
    if start_s is None or start_s >= end_s:
        return None
    return start_s, end_s


def daily_totals(
    conn: Connection,
    owner_id: UUID,
    tz: ZoneInfo,
    start: datetime | None,
    end: datetime,
    plan_id: UUID | None = None,
) -> dict[date, Totals]:
    """Completed sessions started in [start, end), by local day; all history without `start`."""
    first = first_session_s(conn, owner_id) if start is None else None
    span = _span(start, end, first)
    if span is None:
        return {}
    grouped = _grouped(conn, owner_id, tz, span, _day_key, plan_id)
    return {from_day_number(k): v for k, v in sorted(grouped.items())}


def hourly_totals(
    conn: Connection, owner_id: UUID, tz: ZoneInfo, start: datetime | None, end: datetime
) -> dict[int, Totals]:
    """Completed sessions started in [start, end), by the local hour (0-23) they started in."""
    first = first_session_s(conn, owner_id) if start is None else None
    span = _span(start, end, first)
    if span is None:
        return {}
    return dict(sorted(_grouped(conn, owner_id, tz, span, _hour_key, None).items()))


def overall(days: dict[date, Totals]) -> Totals:
    total = Totals()
    for day in days.values():
        total.add(day)
    return total
