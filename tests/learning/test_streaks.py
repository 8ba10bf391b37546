"""Streaks and local days: midnight in the learner's zone, daylight saving, gaps."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from aksio.aggregates.learning.localtime import (
    local_day,
    local_midnight,
    offset_periods,
    unix_seconds,
    zone,
)
from aksio.aggregates.learning.streaks import Streak, milestones, runs, streak

D = date(2024, 3, 10)


def days(*offsets: int) -> list[date]:
    return [D + timedelta(days=o) for o in offsets]


@pytest.mark.parametrize(
    ("studied", "today", "expected"),
    [
        ([], D, Streak(0, 0)),
        (days(0), D, Streak(1, 1)),
        (days(-1), D, Streak(1, 1)),  # yesterday still counts until today is over
        (days(-2), D, Streak(0, 1)),  # a whole day missed breaks it
        (days(-3, -2, -1), D, Streak(3, 3)),
        (days(-6, -5, -4, -3, -1, 0), D, Streak(2, 4)),  # the gap ended the longer run
        (days(0, 0, 0), D, Streak(1, 1)),  # several sessions a day count once
        (days(-1, 0, 1, 2), D, Streak(2, 2)),  # days after today are ignored
    ],
)
def test_streak_table(studied: list[date], today: date, expected: Streak) -> None:
    assert streak(studied, today) == expected


def test_runs_and_milestones() -> None:
    studied = days(*range(8), 10, 11, 12)
    assert [(r.first, r.length) for r in runs(studied)] == [(D, 8), (D + timedelta(10), 3)]
    assert milestones(studied, (3, 7)) == [(3, days(2)[0]), (7, days(6)[0]), (3, days(12)[0])]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("instant", "tz", "day"),
    [
        # midnight is the learner's, not UTC's
        ("2024-01-15T23:30", "UTC", "2024-01-15"),
        ("2024-01-15T23:30", "Europe/Oslo", "2024-01-16"),
        ("2024-01-16T04:30", "America/New_York", "2024-01-15"),
        ("2024-01-15T18:29", "Asia/Kolkata", "2024-01-15"),  # +05:30
        ("2024-01-15T18:30", "Asia/Kolkata", "2024-01-16"),
        ("2024-01-15T10:14", "Pacific/Chatham", "2024-01-15"),  # +13:45 in summer
        ("2024-01-15T10:15", "Pacific/Chatham", "2024-01-16"),
        # the hour repeated when New York falls back belongs to one day
        ("2024-11-03T05:30", "America/New_York", "2024-11-03"),  # 01:30 EDT
        ("2024-11-03T06:30", "America/New_York", "2024-11-03"),  # 01:30 EST
    ],
)
def test_local_day(instant: str, tz: str, day: str) -> None:
    assert local_day(utc(instant), zone(tz)).isoformat() == day


def test_unknown_zone_falls_back_to_utc() -> None:
    assert zone("Mars/Olympus").key == "UTC"
    assert zone(None).key == "UTC"


@pytest.mark.parametrize(
    ("tz", "sessions_utc"),
    [
        # 21:30 local each evening around the spring-forward night (Mar 10) in New York
        ("America/New_York", ["2024-03-09T02:30", "2024-03-10T01:30", "2024-03-11T01:30"]),
        # 23:30 local each night around the fall-back night (Nov 3) in New York
        ("America/New_York", ["2024-11-02T03:30", "2024-11-03T03:30", "2024-11-04T04:30"]),
        # 00:30 local right after the spring-forward in Oslo (Mar 31, 02:00 -> 03:00)
        ("Europe/Oslo", ["2024-03-29T23:30", "2024-03-30T23:30", "2024-03-31T22:30"]),
    ],
)
def test_daylight_saving_neither_breaks_nor_doubles_a_streak(
    tz: str, sessions_utc: list[str]
) -> None:
    local = [local_day(utc(s), zone(tz)) for s in sessions_utc]
    assert len(set(local)) == 3
    assert streak(local, local[-1]) == Streak(3, 3)


def test_two_sessions_in_the_repeated_hour_are_one_day() -> None:
    tz = zone("Europe/Oslo")  # falls back at 03:00 -> 02:00 on 2024-10-27
    first, second = utc("2024-10-27T00:30"), utc("2024-10-27T01:30")  # both 02:30 local
    assert local_day(first, tz) == local_day(second, tz) == date(2024, 10, 27)
    assert streak([local_day(first, tz), local_day(second, tz)], date(2024, 10, 27)) == Streak(1, 1)


@pytest.mark.parametrize(
    ("day", "tz", "instant"),
    [
        ("2024-03-31", "Europe/Oslo", "2024-03-30T23:00"),
        ("2024-04-01", "Europe/Oslo", "2024-03-31T22:00"),  # the 23-hour day ended
        ("2024-09-08", "America/Santiago", "2024-09-08T04:00"),  # midnight skipped: starts 01:00
    ],
)
def test_local_midnight(day: str, tz: str, instant: str) -> None:
    assert local_midnight(date.fromisoformat(day), zone(tz)) == utc(instant)


def test_offset_periods_split_at_each_transition() -> None:
    start, end = unix_seconds(utc("2024-01-01T00:00")), unix_seconds(utc("2025-01-01T00:00"))
    periods = offset_periods(start, end, zone("Europe/Oslo"))
    cuts = [datetime.fromtimestamp(p[0], UTC).isoformat() for p in periods]
    assert cuts == [
        "2024-01-01T00:00:00+00:00",
        "2024-03-31T01:00:00+00:00",
        "2024-10-27T01:00:00+00:00",
    ]
    assert [p[2] for p in periods] == [3600, 7200, 3600]
    assert periods[-1][1] == end
    assert offset_periods(start, end, zone("UTC")) == [(start, end, 0)]
