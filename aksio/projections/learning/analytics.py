"""Learning analytics: session statistics, the overview and weekly performance trends.

Days and weeks (starting Monday) are the learner's local ones; a session
belongs to the day and hour it started in. Figures are computed at query
time from the learning rows, so a rebuilt read model answers the same.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Connection

from aksio.aggregates.learning.localtime import day_span, local_day, local_midnight
from aksio.aggregates.learning.progress import plan_figures
from aksio.aggregates.learning.streaks import streak
from aksio.projections.engine.base import Row
from aksio.projections.learning import queries as q
from aksio.projections.learning.reports import exam_date
from aksio.projections.learning.shapes import (
    BestHour,
    Direction,
    HourBucket,
    Insight,
    Overview,
    SessionStats,
    Trend,
    Trends,
    Velocity,
    VelocityStatus,
    WeekTrend,
)
from aksio.projections.learning.time import Totals, daily_totals, hourly_totals, overall

VELOCITY_ON_TRACK = 0.9


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _hour_row(hour: int, t: Totals) -> HourBucket:
    return {
        "hour": hour,
        "count": t.sessions,
        "avg_duration": round(t.seconds / 60 / t.sessions, 1),
        "total_minutes": round(t.seconds / 60, 1),
        "avg_productivity": t.average_rating,
    }


def _stats_window(
    tz: ZoneInfo, today: date, start_date: date | None, end_date: date | None
) -> tuple[datetime | None, datetime, datetime]:
    """UTC bounds of the asked local dates (None: from the first session), and of all history."""
    horizon = local_midnight(today + timedelta(days=1), tz)
    start = local_midnight(start_date, tz) if start_date else None
    end = local_midnight(end_date + timedelta(days=1), tz) if end_date else horizon
    return start, end, horizon


def session_stats(
    conn: Connection, owner_id: UUID, tz: ZoneInfo, now: datetime,
    start_date: date | None = None, end_date: date | None = None,
) -> SessionStats:  # fmt: skip
    today = local_day(now, tz)
    start, end, horizon = _stats_window(tz, today, start_date, end_date)
    days = daily_totals(conn, owner_id, tz, start, end)
    everything = start is None and end == horizon
    history = days if everything else daily_totals(conn, owner_id, tz, None, horizon)
    hours = hourly_totals(conn, owner_id, tz, start, end)
    total = overall(days)
    busiest = sorted(
        hours.items(), key=lambda h: (-h[1].sessions, -(h[1].average_rating or 0), h[0])
    )
    current = streak(history, today)
    return {
        "start_date": start_date, "end_date": end_date, "timezone": tz.key,
        "total_sessions": total.sessions, "total_hours": round(total.hours, 2),
        "average_duration_minutes": _minutes(total),
        "average_productivity": total.average_rating, "active_days": len(days),
        "sessions_by_hour": [_hour_row(h, t) for h, t in hours.items()],
        "most_productive_hours": [
            {"hour": h, "count": t.sessions, "avg_productivity": t.average_rating}
            for h, t in busiest[:3]
        ],
        "current_streak": {"current": current.current, "longest": current.longest},
    }  # fmt: skip


def _minutes(totals: Totals) -> float:
    return round(totals.seconds / 60 / totals.sessions, 1) if totals.sessions else 0.0


def _by_week(days: Mapping[date, Totals]) -> dict[date, Totals]:
    weeks: dict[date, Totals] = defaultdict(Totals)
    for day, totals in days.items():
        weeks[_monday(day)].add(totals)
    return weeks


def _count_by_week(moments: Iterable[datetime], tz: ZoneInfo) -> dict[date, int]:
    counts: dict[date, int] = defaultdict(int)
    for moment in moments:
        counts[_monday(local_day(moment, tz))] += 1
    return counts


def _velocity(
    conn: Connection, owner_id: UUID, today: date, progress: float, days: int
) -> Velocity:
    """Goal hours earned a day against the daily rate that finishes active plans on time."""
    target = 0.0
    goals = q.owner_goals(conn, owner_id)
    for plan in q.all_plans(conn, owner_id):
        if plan["status"] != "active":
            continue
        mine = [g for g in goals if g["plan_id"] == plan["id"]]
        f = plan_figures(plan, mine, today, exam_date(conn, owner_id, plan))
        if f["days_remaining"] and f["remaining_hours"] > 0:
            target += f["remaining_hours"] / f["days_remaining"]
    current = progress / days
    ratio = round(current / target, 2) if target else None
    status: VelocityStatus = (
        "no_target" if ratio is None else "on_track" if ratio >= VELOCITY_ON_TRACK else "behind"
    )
    return {
        "current_velocity": round(current, 2),
        "target_velocity": round(target, 2),
        "velocity_ratio": ratio,
        "status": status,
    }


def _advice(best: list[BestHour], active: int, days: int, velocity: Velocity) -> list[Insight]:
    out: list[Insight] = []
    if best and best[0]["count"] >= 3:
        hour = best[0]["hour"]
        out.append(
            {
                "type": "scheduling",
                "priority": "medium",
                "message": f"Schedule important study sessions around {hour:02d}:00",
                "suggestion": "You are most productive at this time",
                "metadata": dict(best[0]),
            }
        )
    if active < days / 2:
        out.append(
            {
                "type": "consistency",
                "priority": "medium",
                "message": f"You studied on {active} of the last {days} days",
                "suggestion": "Short daily sessions keep what you learn fresh",
                "metadata": {"active_days": active, "days": days},
            }
        )
    if velocity["status"] == "behind":
        out.append(
            {
                "type": "velocity",
                "priority": "high",
                "message": "Your learning velocity is below what your plans need",
                "suggestion": "Add study time or move target dates",
                "metadata": dict(velocity),
            }
        )
    return out


def _best_hours(hours: dict[int, Totals]) -> list[BestHour]:
    """The three local hours with the best average rating (then most sessions)."""
    rated = sorted(
        ((h, t) for h, t in hours.items() if t.rated),
        key=lambda item: (-(item[1].average_rating or 0), -item[1].sessions, item[0]),
    )
    return [{"hour": h, "avg_productivity": t.average_rating, "count": t.sessions}
            for h, t in rated[:3]]  # fmt: skip


def _goal_counts(goals: list[Row], start: datetime, end: datetime) -> tuple[list[datetime], int]:
    """Completion times inside [start, end), and how many goals were open during it."""
    done = [
        g["completed_at"] for g in goals if g["completed_at"] and start <= g["completed_at"] < end
    ]
    in_play = sum(
        1 for g in goals
        if g["created_at"] < end and (g["completed_at"] is None or g["completed_at"] >= start)
    )  # fmt: skip
    return done, in_play


def _weeks(first: date, last: date) -> list[date]:
    """The Mondays of the weeks from `first` to `last`."""
    return [_monday(first) + timedelta(weeks=i)
            for i in range((_monday(last) - _monday(first)).days // 7 + 1)]  # fmt: skip


def overview(conn: Connection, owner_id: UUID, tz: ZoneInfo, now: datetime, days: int) -> Overview:
    today = local_day(now, tz)
    first = today - timedelta(days=days - 1)
    start, end = day_span(first, today, tz)
    daily = daily_totals(conn, owner_id, tz, start, end)
    total, weeks = overall(daily), _by_week(daily)
    done, in_play = _goal_counts(q.owner_goals(conn, owner_id), start, end)
    finished = _count_by_week(done, tz)
    progress = sum(hours for _, hours in q.progress_hours(conn, owner_id, start, end))
    velocity = _velocity(conn, owner_id, today, progress, days)
    best = _best_hours(hourly_totals(conn, owner_id, tz, start, end))
    return {
        "days": days, "start_date": first, "end_date": today, "timezone": tz.key,
        "total_study_hours": round(total.hours, 2),
        "average_daily_hours": round(total.hours / days, 2),
        "sessions_completed": total.sessions, "active_days": len(daily),
        "goals_completed": len(done),
        "completion_rate": round(100 * len(done) / in_play, 1) if in_play else 0.0,
        "progress_by_week": [
            {"week": w, "count": weeks[w].sessions, "hours": round(weeks[w].hours, 2),
             "goals_completed": finished.get(w, 0)}
            for w in _weeks(first, today)
        ],
        "learning_velocity": velocity,
        "productivity_patterns": {
            "best_hours": best, "peak_productivity_time": best[0]["hour"] if best else None,
        },
        "recommendations": _advice(best, len(daily), days, velocity),
    }  # fmt: skip


def _trend(recent: float, previous: float) -> Trend:
    """Mean per week of the recent weeks against the weeks before; 5 % either way is flat."""
    change = round(100 * (recent - previous) / previous, 1) if previous else None
    direction: Direction
    if change is None:
        direction = "up" if recent > 0 else "flat"
    else:
        direction = "up" if change >= 5 else "down" if change <= -5 else "flat"
    return {
        "recent": round(recent, 2),
        "previous": round(previous, 2),
        "change_percentage": change,
        "direction": direction,
    }


def _earned_by_week(
    conn: Connection, owner_id: UUID, tz: ZoneInfo, start: datetime, end: datetime
) -> dict[date, float]:
    earned: dict[date, float] = defaultdict(float)
    for at, hours in q.progress_hours(conn, owner_id, start, end):
        earned[_monday(local_day(at, tz))] += hours
    return earned


def performance_trends(
    conn: Connection, owner_id: UUID, tz: ZoneInfo, now: datetime, weeks: int
) -> Trends:
    today = local_day(now, tz)
    first = _monday(today) - timedelta(weeks=weeks - 1)
    start, end = day_span(first, today, tz)
    daily = daily_totals(conn, owner_id, tz, start, end)
    by_week, active = _by_week(daily), Counter(_monday(day) for day in daily)
    finished = _count_by_week(_goal_counts(q.owner_goals(conn, owner_id), start, end)[0], tz)
    earned = _earned_by_week(conn, owner_id, tz, start, end)
    series: list[WeekTrend] = []
    for w in _weeks(first, today):
        t = by_week.get(w, Totals())
        series.append({
            "week": w, "hours": round(t.hours, 2), "sessions": t.sessions,
            "active_days": active.get(w, 0),
            "average_duration_minutes": _minutes(t) if t.sessions else None,
            "average_productivity": t.average_rating, "goals_completed": finished.get(w, 0),
            "progress_hours": round(earned.get(w, 0.0), 2),
        })  # fmt: skip
    return {"weeks": weeks, "start_date": first, "end_date": today, "timezone": tz.key,
            "series": series, "trends": _trends(series)}  # fmt: skip


def _trends(series: list[WeekTrend]) -> dict[str, Trend]:
    span = max(1, min(4, len(series) // 2))
    recent, previous = series[-span:], series[-2 * span : -span]

    def mean(rows: Sequence[Mapping[str, Any]], key: str) -> float:
        values = [r[key] for r in rows if r[key] is not None]
        return sum(values) / len(values) if values else 0.0

    keys = ("hours", "sessions", "average_productivity", "progress_hours", "goals_completed")
    return {key: _trend(mean(recent, key), mean(previous, key)) for key in keys}
