"""Local calendar days in a learner's IANA time zone, for streaks and "today".

Read models keep UTC instants (and their Unix seconds); the zone is applied
when a question is asked, so a change of zone re-reads the whole history in
the new zone. `offset_periods` splits a span of time into stretches of one UTC
offset, which lets a database group instants by local day with integer
arithmetic; a day that holds a daylight-saving change falls in two stretches
but keeps one day number, so it is neither lost nor counted twice.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

EPOCH_DAY = date(1970, 1, 1)
DAY_SECONDS = 86_400


def zone(name: str | None) -> ZoneInfo:
    """The named zone, or UTC for an empty or unknown name."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_day(instant: datetime, tz: tzinfo) -> date:
    return instant.astimezone(tz).date()


def local_midnight(day: date, tz: tzinfo) -> datetime:
    """The UTC instant where `day` begins in `tz`.

    Where midnight falls in a spring-forward gap, the earlier offset applies,
    which is exactly the instant of the change: the day begins there.
    """
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def day_span(first: date, last: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """UTC [start, end) of the local days `first`..`last` inclusive."""
    return local_midnight(first, tz), local_midnight(last + timedelta(days=1), tz)


def unix_seconds(instant: datetime) -> int:
    return int(instant.timestamp())


def from_day_number(number: int) -> date:
    return EPOCH_DAY + timedelta(days=number)


def _offset(seconds: int, tz: tzinfo) -> int:
    moment = datetime.fromtimestamp(seconds, UTC).astimezone(tz)
    offset = moment.utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def _transition(low: int, high: int, tz: tzinfo) -> int:
    """The first second in (low, high] whose offset differs from that at `low`."""
    before = _offset(low, tz)
    while high - low > 1:
        middle = (low + high) // 2
        if _offset(middle, tz) == before:
            low = middle
        else:
            high = middle
    return high


def offset_periods(start: int, end: int, tz: tzinfo) -> list[tuple[int, int, int]]:
    """[(from, to, offset)] in Unix seconds covering [start, end), one entry per UTC offset."""
    if start >= end:
        return [(start, end, _offset(start, tz))]
    whole_days = _periods(start - start % DAY_SECONDS, end + (-end) % DAY_SECONDS, tz)
    return [(max(a, start), min(b, end), o) for a, b, o in whole_days if a < end and b > start]


@lru_cache(maxsize=4096)
def _periods(start: int, end: int, tz: tzinfo) -> tuple[tuple[int, int, int], ...]:
    """Probes once a day and bisects to the second where the offset changes: every
    real-world transition is found exactly (zones change at most a few times a year).
    Whole UTC days make the answers reusable between requests."""
    periods: list[tuple[int, int, int]] = []
    begin, current = start, _offset(start, tz)
    probe, last = start, end - 1
    while probe < last:
        step = min(probe + DAY_SECONDS, last)
        if _offset(step, tz) == current:
            probe = step
            continue
        cut = _transition(probe, step, tz)
        periods.append((begin, cut, current))
        begin, current, probe = cut, _offset(cut, tz), cut
    periods.append((begin, end, current))
    return tuple(periods)
