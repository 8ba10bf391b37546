"""Study schedules: a plan's remaining goal hours laid out over its remaining days.

Rules (in quarter hours, so sums stay exact):
- each unfinished goal needs estimated hours x (100 - progress) / 100, rounded up;
- goals come after their unfinished prerequisites, then by priority (1 is
  highest), target date and creation order (see `path_analysis`);
- a day's load never exceeds `hours_per_day`, nor the hours of the chosen
  `preferred_times` windows, which are filled earliest first; on the first day
  nothing is placed before `not_before` (the learner's local time now);
- Saturdays and Sundays are skipped unless `include_weekends`;
- with an end date the hours are spread evenly over the remaining days (at
  least an hour a day, so light plans finish early rather than trickle);
  without one every day is filled up to the cap until the work is done.
Hours that do not fit are reported as `unscheduled_hours`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from aksio.aggregates.learning.path_analysis import GoalNode, recommended_order

WINDOWS: dict[str, tuple[int, int]] = {
    "morning": (8, 12),
    "afternoon": (12, 17),
    "evening": (18, 21),
    "night": (21, 24),
}
UNITS_PER_HOUR = 4
MIN_DAILY_UNITS = 4
MAX_OPEN_DAYS = 366


@dataclass(frozen=True)
class GoalWork:
    id: str
    title: str
    remaining_hours: float
    priority: int = 3
    target_date: date | None = None
    prerequisites: tuple[str, ...] = ()
    focus_areas: tuple[str, ...] = ()
    order: int = 0


@dataclass(frozen=True)
class ScheduleRules:
    start: date
    end: date | None
    hours_per_day: float
    preferred_times: tuple[str, ...] = tuple(WINDOWS)
    include_weekends: bool = False
    not_before: time | None = None


@dataclass(frozen=True)
class Schedule:
    days: list[dict[str, Any]]
    unscheduled_hours: float


def remaining_hours(estimated_hours: float, progress_percentage: float) -> float:
    return max(0.0, estimated_hours * (100 - progress_percentage) / 100)


def plan_horizon(end_date: date | None, exam_date: date | None) -> tuple[date | None, str | None]:
    """The last day to schedule, and where it comes from: the plan, or the day before the exam."""
    if end_date is not None:
        return end_date, "plan_end_date"
    if exam_date is not None:
        return exam_date - timedelta(days=1), "course_exam_date"
    return None, None


def _units(hours: float) -> int:
    return max(0, math.ceil(round(hours * UNITS_PER_HOUR, 6)))


def _ordered(goals: Sequence[GoalWork]) -> list[tuple[GoalWork, int]]:
    by_id = {g.id: g for g in goals}
    nodes = [
        GoalNode(
            g.id,
            g.title,
            g.remaining_hours,
            g.priority,
            g.target_date,
            g.prerequisites,
            _units(g.remaining_hours) == 0,
            g.order,
        )
        for g in goals
    ]
    order = recommended_order(nodes)
    stuck = sorted((n for n in nodes if not n.completed and n.id not in order), key=GoalNode.rank)
    return [(by_id[k], _units(by_id[k].remaining_hours)) for k in [*order, *(n.id for n in stuck)]]


def _windows(day: date, rules: ScheduleRules) -> list[tuple[str, int, int]]:
    chosen = sorted(dict.fromkeys(rules.preferred_times), key=lambda name: WINDOWS[name])
    floor = 0
    if rules.not_before is not None and day == rules.start:
        minutes = rules.not_before.hour * 60 + rules.not_before.minute
        floor = math.ceil((minutes + (rules.not_before.second > 0)) / 15)
    spans = []
    for name in chosen:
        start, end = (hour * UNITS_PER_HOUR for hour in WINDOWS[name])
        if max(start, floor) < end:
            spans.append((name, max(start, floor), end))
    return spans


def _days(rules: ScheduleRules) -> Iterator[date]:
    last = rules.end or rules.start + timedelta(days=MAX_OPEN_DAYS - 1)
    day = rules.start
    while day <= last:
        if rules.include_weekends or day.weekday() < 5:
            yield day
        day += timedelta(days=1)


def _loads(capacities: list[int], total: int, cap: int, spread: bool) -> list[int]:
    loads, remaining = [], total
    for index, capacity in enumerate(capacities):
        want = remaining
        if spread:
            share = -(-remaining // (len(capacities) - index))
            want = max(share, min(MIN_DAILY_UNITS, cap))
        load = min(capacity, want, remaining)
        loads.append(load)
        remaining -= load
    return loads


def _clock(unit: int) -> str:
    return f"{unit // UNITS_PER_HOUR:02d}:{unit % UNITS_PER_HOUR * 15:02d}"


def _place(pieces: list[tuple[GoalWork, int]], windows: list[tuple[str, int, int]]) -> list[Any]:
    sessions: list[dict[str, Any]] = []
    spans = iter(windows)
    name, cursor, end = next(spans)
    for goal, units in pieces:
        while units:
            if cursor == end:
                name, cursor, end = next(spans)
            take = min(units, end - cursor)
            sessions.append(
                {
                    "goal_id": goal.id,
                    "goal_title": goal.title,
                    "duration_hours": take / UNITS_PER_HOUR,
                    "time_slot": {"start": _clock(cursor), "end": _clock(cursor + take)},
                    "window": name,
                    "focus_areas": list(goal.focus_areas),
                }
            )
            cursor, units = cursor + take, units - take
    return sessions


def _pour(work: list[tuple[GoalWork, int]], loads: list[int]) -> list[list[tuple[GoalWork, int]]]:
    """Cuts the ordered goal hours into each day's load, in order."""
    left = [units for _, units in work]
    index, days = 0, []
    for load in loads:
        pieces = []
        while load:
            take = min(left[index], load)
            pieces.append((work[index][0], take))
            left[index] -= take
            load -= take
            index += left[index] == 0
        days.append(pieces)
    return days


def generate_schedule(goals: Sequence[GoalWork], rules: ScheduleRules) -> Schedule:
    """The day-by-day schedule of `goals` under `rules`; days without study are left out."""
    work = _ordered(goals)
    total = sum(units for _, units in work)
    cap = max(1, math.floor(round(rules.hours_per_day * UNITS_PER_HOUR, 6)))
    days = list(_days(rules))
    windows = [_windows(day, rules) for day in days]
    capacities = [min(cap, sum(end - start for _, start, end in spans)) for spans in windows]
    loads = _loads(capacities, total, cap, spread=rules.end is not None)
    out: list[dict[str, Any]] = []
    for day, spans, pieces in zip(days, windows, _pour(work, loads), strict=True):
        if pieces:
            hours = sum(units for _, units in pieces) / UNITS_PER_HOUR
            sessions = _place(pieces, spans)
            out.append({"date": day.isoformat(), "sessions": sessions, "total_hours": hours})
    return Schedule(out, (total - sum(loads)) / UNITS_PER_HOUR)
