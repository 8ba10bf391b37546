"""The database's grouping by local day and hour equals Python's, across DST changes."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from aksio.aggregates.learning.localtime import local_day, zone
from aksio.aggregates.learning.study_session import StudySession
from aksio.bootstrap import System
from aksio.projections.learning.time import daily_totals, hourly_totals

ZONES = (
    "Europe/Oslo",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "UTC",
)


def test_days_and_hours_match_python(system: System) -> None:
    """Sessions every 7 h 13 min from late October to early April (DST both ways)."""
    owner = uuid4()
    starts = [datetime(2023, 10, 20, tzinfo=UTC) + timedelta(minutes=433 * i) for i in range(560)]
    sessions = []
    for start in starts:
        session = StudySession.start(owner, None, {}, start)
        session.complete(
            start + timedelta(minutes=25),
            rating=3,
            notes=None,
            topics=[],
            goals=[],
            progress_updates=[],
        )
        sessions.append(session)
    system.store.save(*sessions)
    system.drain()
    end = starts[-1] + timedelta(days=1)
    for name in ZONES:
        tz = zone(name)
        with system.engine.connect() as conn:
            days = daily_totals(conn, owner, tz, None, end)
            hours = hourly_totals(conn, owner, tz, None, end)
        expected_days = Counter(local_day(s, tz) for s in starts)
        expected_hours = Counter(s.astimezone(tz).hour for s in starts)
        assert {d: t.sessions for d, t in days.items()} == dict(expected_days), name
        assert {h: t.sessions for h, t in hours.items()} == dict(expected_hours), name
        assert sum(t.seconds for t in days.values()) == 25 * 60 * len(starts)
        assert all(t.rated == t.sessions and t.average_rating == 3 for t in days.values())
