"""Study streaks: runs of consecutive local days with at least one completed session.

The days come already converted to the learner's zone (see `localtime`), so a
day is a calendar date however many hours it had. The current streak is the
run that ends today or yesterday: a learner who has not studied yet today keeps
yesterday's streak until the day is over.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

STREAK_MILESTONES = (3, 7, 14, 30, 60, 100, 180, 365)


@dataclass(frozen=True)
class Run:
    first: date
    length: int

    @property
    def last(self) -> date:
        return self.first + timedelta(days=self.length - 1)


@dataclass(frozen=True)
class Streak:
    current: int
    longest: int


def runs(days: Iterable[date]) -> list[Run]:
    """Maximal runs of consecutive days, oldest first (duplicates are ignored)."""
    found: list[Run] = []
    for day in sorted(set(days)):
        if found and (day - found[-1].first).days == found[-1].length:
            found[-1] = Run(found[-1].first, found[-1].length + 1)
        else:
            found.append(Run(day, 1))
    return found


def streak(days: Iterable[date], today: date) -> Streak:
    """The current and the longest streak; days after `today` are ignored."""
    past = runs(d for d in days if d <= today)
    longest = max((run.length for run in past), default=0)
    current = 0
    if past and past[-1].last >= today - timedelta(days=1):
        current = past[-1].length
    return Streak(current=current, longest=longest)


def milestones(
    days: Iterable[date], thresholds: Iterable[int] = STREAK_MILESTONES
) -> list[tuple[int, date]]:
    """(length, day) for every threshold a run reached, on the day it reached it."""
    wanted = sorted(set(thresholds))
    reached: list[tuple[int, date]] = []
    for run in runs(days):
        for length in wanted:
            if length > run.length:
                break
            reached.append((length, run.first + timedelta(days=length - 1)))
    return sorted(reached, key=lambda item: (item[1], item[0]))
