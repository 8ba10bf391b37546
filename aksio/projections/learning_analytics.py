"""Learning analytics: session statistics, the overview and weekly performance trends.

Days and weeks (starting Monday) are the learner's local ones; a session
belongs to the day and hour it started in. Figures are computed at query
time from the learning rows, so a rebuilt read model answers the same.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Connection

from aksio.aggregates.learning.localtime import day_span, local_day, local_midnight
from aksio.aggregates.learning.progress import plan_figures
from aksio.aggregates.learning.streaks import streak
from aksio.projections import learning_queries as q
from aksio.projections.learning_reports import exam_date
from aksio.projections.learning_time import Totals, daily_totals, hourly_totals, overall

VELOCITY_ON_TRACK = 0.9


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _hour_row(hour: int, t: Totals) -> dict[str, Any]:
    return {
        "hour": hour,
        "count": t.sessions,
        "avg_duration": round(t.seconds / 60 / t.sessions, 1),
        "total_minutes": round(t.seconds / 60, 1),
        "avg_productivity": t.average_rating,
    }


def session_stats(
    conn: Connection,
    owner_id: UUID,
    tz: ZoneInfo,
    now: datetime,
    start_date: date | None = None,
    end_date: date | None = None,
) -> dict[str, Any]:
    today = local_day(now, tz)
    horizon = local_midnight(today + timedelta(days=1), tz)
    start = local_midnight(start_date, tz) if start_date else None
    end = local_midnight(end_date + timedelta(days=1), tz) if end_date else horizon
    days = daily_totals(conn, owner_id, tz, start, end)
    history = (
        days
        if start is None and end == horizon
        else daily_totals(conn, owner_id, tz, None, horizon)
    )
    hours = hourly_totals(conn, owner_id, tz, start, end)
    total = overall(days)
    ranked = sorted(
        hours.items(), key=lambda h: (-h[1].sessions, -(h[1].average_rating or 0), h[0])
    )
    current = streak(history, today)
    return {
        "start_date": start_date,
        "end_date": end_date,
        "timezone": tz.key,
        "total_sessions": total.sessions,
        "total_hours": round(total.hours, 2),
        "average_duration_minutes": round(total.seconds / 60 / total.sessions, 1)
        if total.sessions
        else 0.0,
        "average_productivity": total.average_rating,
        "active_days": len(days),
        "sessions_by_hour": [_hour_row(h, t) for h, t in hours.items()],
        "most_productive_hours": [
            {"hour": h, "count": t.sessions, "avg_productivity": t.average_rating}
            for h, t in ranked[:3]
        ],
        "current_streak": {"current": current.current, "longest": current.longest},
    }


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


def _velocity(conn: Connection, owner_id: UUID, today: date, progress: float, days: int) -> Any:
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
    status = (
        "no_target" if ratio is None else "on_track" if ratio >= VELOCITY_ON_TRACK else "behind"
    )
    return {
        "current_velocity": round(current, 2),
        "target_velocity": round(target, 2),
        "velocity_ratio": ratio,
        "status": status,
    }


def _advice(best: list[dict[str, Any]], active: int, days: int, velocity: Any) -> list[Any]:
    out = []
    if best and best[0]["count"] >= 3:
        hour = best[0]["hour"]
        out.append(
            {
                "type": "scheduling",
                "priority": "medium",
                "message": f"Schedule important study sessions around {hour:02d}:00",
                "suggestion": "You are most productive at this time",
                "metadata": best[0],
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


def overview(conn: Connection, owner_id: UUID, tz: ZoneInfo, now: datetime, days: int) -> Any:
    today = local_day(now, tz)
    first = today - timedelta(days=days - 1)
    start, end = day_span(first, today, tz)
    daily = daily_totals(conn, owner_id, tz, start, end)
    total = overall(daily)
    goals = q.owner_goals(conn, owner_id)
    done = [
        g["completed_at"] for g in goals if g["completed_at"] and start <= g["completed_at"] < end
    ]
    in_play = [
        g
        for g in goals
        if g["created_at"] < end and (g["completed_at"] is None or g["completed_at"] >= start)
    ]
    weeks, finished = _by_week(daily), _count_by_week(done, tz)
    progress = sum(hours for _, hours in q.progress_hours(conn, owner_id, start, end))
    velocity = _velocity(conn, owner_id, today, progress, days)
    rated = [(h, t) for h, t in hourly_totals(conn, owner_id, tz, start, end).items() if t.rated]
    rated.sort(key=lambda h: (-(h[1].average_rating or 0), -h[1].sessions, h[0]))
    best = [
        {"hour": h, "avg_productivity": t.average_rating, "count": t.sessions} for h, t in rated[:3]
    ]
    mondays = [
        _monday(first) + timedelta(weeks=i)
        for i in range((_monday(today) - _monday(first)).days // 7 + 1)
    ]
    return {
        "days": days,
        "start_date": first,
        "end_date": today,
        "timezone": tz.key,
        "total_study_hours": round(total.hours, 2),
        "average_daily_hours": round(total.hours / days, 2),
        "sessions_completed": total.sessions,
        "active_days": len(daily),
        "goals_completed": len(done),
        "completion_rate": round(100 * len(done) / len(in_play), 1) if in_play else 0.0,
        "progress_by_week": [
            {
                "week": w,
                "count": weeks[w].sessions,
                "hours": round(weeks[w].hours, 2),
                "goals_completed": finished.get(w, 0),
            }
            for w in mondays
        ],
        "learning_velocity": velocity,
        "productivity_patterns": {
            "best_hours": best,
            "peak_productivity_time": best[0]["hour"] if best else None,
        },
        "recommendations": _advice(best, len(daily), days, velocity),
    }


def _trend(recent: float, previous: float) -> dict[str, Any]:
    """Mean per week of the recent weeks against the weeks before; 5 % either way is flat."""
    change = round(100 * (recent - previous) / previous, 1) if previous else None
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


def performance_trends(
    conn: Connection, owner_id: UUID, tz: ZoneInfo, now: datetime, weeks: int
) -> Any:
    today = local_day(now, tz)
    first = _monday(today) - timedelta(weeks=weeks - 1)
    start, end = day_span(first, today, tz)
    daily = daily_totals(conn, owner_id, tz, start, end)
    by_week, active = _by_week(daily), Counter(_monday(day) for day in daily)
    goals = q.owner_goals(conn, owner_id)
    finished = _count_by_week(
        (
            g["completed_at"]
            for g in goals
            if g["completed_at"] and start <= g["completed_at"] < end
        ),
        tz,
    )
    earned: dict[date, float] = defaultdict(float)
    for at, hours in q.progress_hours(conn, owner_id, start, end):
        earned[_monday(local_day(at, tz))] += hours
    series = []
    for w in (first + timedelta(weeks=i) for i in range(weeks)):
        t = by_week.get(w, Totals())
        series.append(
            {
                "week": w,
                "hours": round(t.hours, 2),
                "sessions": t.sessions,
                "active_days": active.get(w, 0),
                "average_duration_minutes": round(t.seconds / 60 / t.sessions, 1)
                if t.sessions
                else None,
                "average_productivity": t.average_rating,
                "goals_completed": finished.get(w, 0),
                "progress_hours": round(earned.get(w, 0.0), 2),
            }
        )
    return {
        "weeks": weeks,
        "start_date": first,
        "end_date": today,
        "timezone": tz.key,
        "series": series,
        "trends": _trends(series),
    }


def _trends(series: list[dict[str, Any]]) -> dict[str, Any]:
    span = max(1, min(4, len(series) // 2))
    recent, previous = series[-span:], series[-2 * span : -span]

    def mean(rows: list[dict[str, Any]], key: str) -> float:
        values = [r[key] for r in rows if r[key] is not None]
        return sum(values) / len(values) if values else 0.0

    keys = ("hours", "sessions", "average_productivity", "progress_hours", "goals_completed")
    return {key: _trend(mean(recent, key), mean(previous, key)) for key in keys}
