"""Schedule generation by parameter tables: weekends, caps, order, windows, exam dates."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest

from aksio.aggregates.learning.scheduling import (
    GoalWork,
    Schedule,
    ScheduleRules,
    generate_schedule,
    plan_horizon,
    remaining_hours,
)

FRI = date(2024, 1, 19)  # a Friday
MON = date(2024, 1, 22)


def goal(key: str, hours: float, **extra: Any) -> GoalWork:
    return GoalWork(key, key.upper(), hours, **extra)


def hours_by_date(schedule: Schedule) -> dict[str, float]:
    return {day["date"]: day["total_hours"] for day in schedule.days}


def goal_sequence(schedule: Schedule) -> list[str]:
    seen: list[str] = []
    for day in schedule.days:
        for session in day["sessions"]:
            if not seen or seen[-1] != session["goal_id"]:
                seen.append(session["goal_id"])
    return seen


def slots(schedule: Schedule, index: int = 0) -> list[tuple[str, str, str]]:
    day = schedule.days[index]
    return [(s["time_slot"]["start"], s["time_slot"]["end"], s["window"]) for s in day["sessions"]]


@pytest.mark.parametrize(
    ("weekends", "expected"),
    [
        (False, {"2024-01-19": 2.0, "2024-01-22": 2.0}),
        (True, {"2024-01-19": 1.0, "2024-01-20": 1.0, "2024-01-21": 1.0, "2024-01-22": 1.0}),
    ],
)
def test_weekends_are_skipped_unless_included(weekends: bool, expected: dict[str, float]) -> None:
    rules = ScheduleRules(FRI, MON, 2, include_weekends=weekends)
    assert hours_by_date(generate_schedule([goal("a", 4)], rules)) == expected


@pytest.mark.parametrize(
    ("goals", "start", "end", "cap", "expected", "unscheduled"),
    [
        # more work than fits: every day at the cap, the rest reported
        ([goal("a", 10)], MON, date(2024, 1, 24), 2, [2.0, 2.0, 2.0], 4.0),
        # spread evenly over the remaining days
        ([goal("a", 6)], MON, date(2024, 1, 29), 4, [1.0] * 6, 0.0),
        # light work: at least an hour a day, so it finishes early
        ([goal("a", 2)], MON, date(2024, 2, 2), 3, [1.0, 1.0], 0.0),
        # no end date: fill each day to the cap until done
        ([goal("a", 5)], MON, None, 2, [2.0, 2.0, 1.0], 0.0),
        # the cap is floored to quarter hours
        ([goal("a", 5)], MON, date(2024, 1, 23), 1.3, [1.25, 1.25], 2.5),
        # remaining hours are rounded up to quarter hours
        ([goal("a", 2.6)], MON, None, 8, [2.75], 0.0),
    ],
)
def test_daily_loads_respect_the_cap_and_spread(
    goals: list[GoalWork],
    start: date,
    end: date | None,
    cap: float,
    expected: list[float],
    unscheduled: float,
) -> None:
    schedule = generate_schedule(goals, ScheduleRules(start, end, cap))
    assert list(hours_by_date(schedule).values()) == expected
    assert schedule.unscheduled_hours == unscheduled
    assert all(day["total_hours"] <= cap for day in schedule.days)


@pytest.mark.parametrize(
    ("goals", "order"),
    [
        # a prerequisite comes first even with a lower priority
        (
            [
                goal("a", 1, priority=3),
                goal("b", 1, priority=1, prerequisites=("a",)),
                goal("c", 1, priority=2),
            ],
            ["c", "a", "b"],
        ),
        # same priority: earlier target date first, no target date last
        (
            [
                goal("f", 1, priority=2),
                goal("d", 1, priority=2, target_date=date(2024, 2, 1)),
                goal("e", 1, priority=2, target_date=date(2024, 1, 25)),
            ],
            ["e", "d", "f"],
        ),
        # full tie: creation order
        ([goal("y", 1, order=1), goal("x", 1, order=0)], ["x", "y"]),
        # a finished prerequisite blocks nothing and is not scheduled
        ([goal("a", 0), goal("b", 1, prerequisites=("a",))], ["b"]),
        # a chain across priorities
        (
            [
                goal("c", 1, priority=1, prerequisites=("b",)),
                goal("b", 1, priority=1, prerequisites=("a",)),
                goal("a", 1, priority=5),
                goal("z", 1, priority=2),
            ],
            ["z", "a", "b", "c"],
        ),
    ],
)
def test_goal_order(goals: list[GoalWork], order: list[str]) -> None:
    schedule = generate_schedule(goals, ScheduleRules(MON, None, 8))
    assert goal_sequence(schedule) == order


def test_a_dependent_goal_starts_after_its_prerequisite_ends_on_the_same_day() -> None:
    goals = [goal("b", 1, priority=1, prerequisites=("a",)), goal("a", 1.5, priority=5)]
    schedule = generate_schedule(goals, ScheduleRules(MON, None, 4, ("morning",)))
    assert slots(schedule) == [("08:00", "09:30", "morning"), ("09:30", "10:30", "morning")]
    assert [s["goal_id"] for s in schedule.days[0]["sessions"]] == ["a", "b"]


@pytest.mark.parametrize(
    ("windows", "cap", "not_before", "expected"),
    [
        (
            ("evening", "night"),
            4,
            None,
            [("18:00", "21:00", "evening"), ("21:00", "22:00", "night")],
        ),
        (("night", "morning"), 2, None, [("08:00", "10:00", "morning")]),
        (("morning",), 6, None, [("08:00", "12:00", "morning")]),
        (("afternoon",), 2, time(13, 5), [("13:15", "15:15", "afternoon")]),
        (("evening",), 3, time(19, 10), [("19:15", "21:00", "evening")]),
    ],
)
def test_sessions_fall_in_the_preferred_windows(
    windows: tuple[str, ...],
    cap: float,
    not_before: time | None,
    expected: list[tuple[str, str, str]],
) -> None:
    rules = ScheduleRules(MON, None, cap, windows, not_before=not_before)
    schedule = generate_schedule([goal("a", 20)], rules)
    assert slots(schedule) == expected


def test_a_first_day_whose_windows_have_passed_gets_nothing() -> None:
    rules = ScheduleRules(MON, None, 2, ("morning",), not_before=time(12, 0))
    schedule = generate_schedule([goal("a", 2)], rules)
    assert hours_by_date(schedule) == {"2024-01-23": 2.0}


def test_focus_areas_and_titles_are_carried() -> None:
    work = [GoalWork("g", "Chain rule", 1, focus_areas=("chain_rule", "composition"))]
    [session] = generate_schedule(work, ScheduleRules(MON, None, 2)).days[0]["sessions"]
    assert session["goal_title"] == "Chain rule"
    assert session["focus_areas"] == ["chain_rule", "composition"]
    assert session["duration_hours"] == 1.0


@pytest.mark.parametrize(
    ("end_date", "exam_date", "expected"),
    [
        (date(2024, 3, 1), date(2024, 2, 10), (date(2024, 3, 1), "plan_end_date")),
        (None, date(2024, 2, 10), (date(2024, 2, 9), "course_exam_date")),
        (None, None, (None, None)),
    ],
)
def test_plan_horizon_uses_the_exam_when_the_plan_has_no_end(
    end_date: date | None, exam_date: date | None, expected: tuple[date | None, str | None]
) -> None:
    assert plan_horizon(end_date, exam_date) == expected


def test_scheduling_toward_an_exam_stops_the_day_before() -> None:
    end, _ = plan_horizon(None, date(2024, 1, 25))
    schedule = generate_schedule([goal("a", 30)], ScheduleRules(MON, end, 3))
    assert list(hours_by_date(schedule)) == ["2024-01-22", "2024-01-23", "2024-01-24"]
    assert schedule.unscheduled_hours == 21.0


@pytest.mark.parametrize(
    ("estimated", "progress", "left"), [(8, 0, 8.0), (8, 75, 2.0), (8, 100, 0.0), (3, 50, 1.5)]
)
def test_remaining_hours(estimated: float, progress: float, left: float) -> None:
    assert remaining_hours(estimated, progress) == left
