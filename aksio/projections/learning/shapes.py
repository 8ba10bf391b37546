"""The shapes the learning reports, dashboards and analytics return, declared once.

The API answers with these very shapes (`aksio/api/schemas/learning/reports.py`
only names them), so a key added or renamed here is what clients see. Days and
weeks are the learner's local ones (profile `timezone`); weeks start on Monday;
hours are decimal hours; percentages are 0-100. `Field` only carries the
descriptions and bounds the API documents: nothing here validates.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import Field

# pydantic reads TypedDicts from typing_extensions only, on Python 3.11.
from typing_extensions import TypedDict

Priority = Literal["high", "medium", "low"]
ScheduleStatus = Literal[
    "ahead", "on_track", "behind", "not_started", "no_deadline", "no_goals", "completed"
]
VelocityStatus = Literal["on_track", "behind", "no_target"]
Direction = Literal["up", "down", "flat"]
DeadlineType = Literal["goal", "study_plan", "exam"]
AchievementType = Literal["study_streak", "study_hours", "goal_completed", "study_plan_completed"]


def _doc(text: str) -> Any:
    return Field(description=text)


class GoalFigures(TypedDict):
    goal_id: UUID
    title: str
    status: str
    priority: int
    target_date: date | None
    progress_percentage: float
    estimated_hours: float
    remaining_hours: Annotated[float, _doc("estimated x (100 - progress) / 100; 0 once done.")]
    hours_spent: float
    overdue: bool
    prerequisites: list[UUID]


class PlanProgress(TypedDict):
    plan_id: UUID
    title: str
    status: str
    today: date
    timezone: str
    start_date: date | None
    end_date: Annotated[date | None, _doc("The plan's end date, else the day before the exam.")]
    deadline_source: Literal["plan_end_date", "course_exam_date"] | None
    days_total: int | None
    days_elapsed: Annotated[int | None, _doc("Days of the plan before today.")]
    days_remaining: Annotated[int | None, _doc("Days from today to the end, both included.")]
    goals_total: int
    goals_completed: int
    goals_in_progress: int
    goals_not_started: int
    goals_overdue: int
    estimated_hours: float
    completed_hours: float
    remaining_hours: float
    completion_percentage: Annotated[float, _doc("Progress weighted by estimated hours.")]
    expected_percentage: Annotated[float | None, _doc("Share of the plan's days passed.")]
    schedule_status: Annotated[ScheduleStatus, _doc("behind/ahead: more than 10 points off.")]
    required_hours_per_week: float | None
    sessions_completed: int
    hours_studied: float
    goals: list[GoalFigures]


class RecommendationOut(TypedDict):
    type: Literal["schedule", "deadline", "performance", "flashcards", "quiz", "consistency"]
    priority: Priority
    title: str
    description: str
    action: str
    metadata: Annotated[dict[str, Any], _doc("The figures that triggered it.")]


class Recommendations(TypedDict):
    plan_id: UUID
    generated_at: datetime
    recommendations: list[RecommendationOut]


class NextGoal(TypedDict):
    goal_id: UUID
    title: str
    target_date: date | None


class PlanSummary(TypedDict):
    plan_id: UUID
    title: str
    status: str
    end_date: date | None
    deadline_source: str | None
    days_remaining: int | None
    goals_total: int
    goals_completed: int
    completion_percentage: float
    expected_percentage: float | None
    schedule_status: ScheduleStatus
    remaining_hours: float
    next_goal: Annotated[NextGoal | None, _doc("First unfinished goal in recommended order.")]


class TodaySchedule(TypedDict):
    plan_id: UUID
    plan_title: str
    sessions: list[dict[str, Any]]
    total_hours: float


class UpcomingGoal(GoalFigures):
    plan_id: UUID
    days_left: int


class PlansDashboard(TypedDict):
    today: date
    timezone: str
    active_plans: int
    plans: Annotated[list[PlanSummary], _doc("Plans that are not archived.")]
    today_schedule: Annotated[list[TodaySchedule], _doc("Today's part of saved schedules.")]
    studied_today_hours: float
    upcoming_goals: list[UpcomingGoal]


class Streak(TypedDict):
    current: Annotated[
        int, _doc("Consecutive local days with a completed session, ending today or yesterday.")
    ]
    longest: int


class HourBucket(TypedDict):
    hour: Annotated[int, Field(ge=0, le=23, description="Local hour the sessions started in.")]
    count: int
    avg_duration: Annotated[float, _doc("Minutes.")]
    total_minutes: float
    avg_productivity: float | None


class HourCount(TypedDict):
    hour: int
    count: int
    avg_productivity: float | None


class SessionStats(TypedDict):
    start_date: date | None
    end_date: date | None
    timezone: str
    total_sessions: int
    total_hours: float
    average_duration_minutes: float
    average_productivity: float | None
    active_days: int
    sessions_by_hour: list[HourBucket]
    most_productive_hours: Annotated[list[HourCount], _doc("Top 3 hours by sessions.")]
    current_streak: Annotated[Streak, _doc("Over all history, whatever the date range.")]


class WeekProgress(TypedDict):
    week: Annotated[date, _doc("Monday of the week.")]
    count: Annotated[int, _doc("Completed sessions.")]
    hours: float
    goals_completed: int


class Velocity(TypedDict):
    current_velocity: Annotated[float, _doc("Goal hours earned per day in the period.")]
    target_velocity: Annotated[
        float, _doc("Goal hours per day that finish active plans by their end.")
    ]
    velocity_ratio: float | None
    status: Annotated[VelocityStatus, _doc("on_track from 0.9.")]


class BestHour(TypedDict):
    hour: int
    avg_productivity: float | None
    count: int


class Patterns(TypedDict):
    best_hours: list[BestHour]
    peak_productivity_time: int | None


class Insight(TypedDict):
    type: str
    priority: Priority
    message: str
    suggestion: str
    metadata: dict[str, Any]


class Overview(TypedDict):
    days: int
    start_date: date
    end_date: date
    timezone: str
    total_study_hours: float
    average_daily_hours: float
    sessions_completed: int
    active_days: int
    goals_completed: int
    completion_rate: Annotated[
        float, _doc("Goals completed in the period over goals open during it.")
    ]
    progress_by_week: list[WeekProgress]
    learning_velocity: Velocity
    productivity_patterns: Patterns
    recommendations: list[Insight]


class WeekTrend(TypedDict):
    week: date
    hours: float
    sessions: int
    active_days: int
    average_duration_minutes: float | None
    average_productivity: float | None
    goals_completed: int
    progress_hours: Annotated[float, _doc("Estimated goal hours earned by progress.")]


class Trend(TypedDict):
    recent: Annotated[float, _doc("Mean per week over the recent weeks.")]
    previous: Annotated[float, _doc("Mean per week over as many weeks before.")]
    change_percentage: float | None
    direction: Direction


class Trends(TypedDict):
    weeks: int
    start_date: date
    end_date: date
    timezone: str
    series: list[WeekTrend]
    trends: Annotated[
        dict[str, Trend],
        _doc("hours, sessions, average_productivity, progress_hours, goals_completed."),
    ]


class PathGoal(TypedDict):
    goal_id: UUID
    title: str
    remaining_hours: float
    priority: int
    target_date: date | None
    blocked: bool


class BlockedGoal(TypedDict):
    goal_id: UUID
    title: str
    blocked_by: list[UUID]


class CriticalPath(TypedDict):
    goal_ids: list[UUID]
    titles: list[str]
    hours: Annotated[float, _doc("Remaining hours along the longest prerequisite chain.")]


class PlanPath(TypedDict):
    plan_id: UUID
    title: str
    goals_total: int
    goals_completed: int
    remaining_hours: float
    recommended_order: list[PathGoal]
    available_goals: Annotated[list[UUID], _doc("Unfinished goals with nothing blocking them.")]
    blocked_goals: list[BlockedGoal]
    critical_path: CriticalPath
    cycle: list[UUID] | None


class PathAnalysis(TypedDict):
    plans: list[PlanPath]


class Deadline(TypedDict):
    type: DeadlineType
    id: UUID
    title: str
    due_date: date
    priority: str
    days_left: int


class Achievement(TypedDict):
    type: AchievementType
    title: str
    achieved_at: datetime


class ActivityDashboard(TypedDict):
    study_streak: Streak
    weekly_hours: Annotated[float, _doc("Hours in the last 7 local days, today included.")]
    goals_completed_this_month: int
    upcoming_deadlines: Annotated[list[Deadline], _doc("The next 30 days, at most 10.")]
    recent_achievements: Annotated[list[Achievement], _doc("The last 30 days, at most 10.")]
    today: date
    timezone: str
