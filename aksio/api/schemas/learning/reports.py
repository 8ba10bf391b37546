"""Response bodies of the learning reports, dashboards and analytics.

Days and weeks are the learner's local ones (profile `timezone`); weeks start
on Monday; hours are decimal hours; percentages are 0-100.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

Priority = Literal["high", "medium", "low"]
ScheduleStatus = Literal[
    "ahead", "on_track", "behind", "not_started", "no_deadline", "no_goals", "completed"
]


class GoalFigures(BaseModel):
    goal_id: UUID
    title: str
    status: str
    priority: int
    target_date: date | None
    progress_percentage: float
    estimated_hours: float
    remaining_hours: float = Field(description="estimated x (100 - progress) / 100; 0 once done.")
    hours_spent: float
    overdue: bool
    prerequisites: list[UUID]


class PlanProgressOut(BaseModel):
    plan_id: UUID
    title: str
    status: str
    today: date
    timezone: str
    start_date: date | None
    end_date: date | None = Field(description="The plan's end date, else the day before the exam.")
    deadline_source: Literal["plan_end_date", "course_exam_date"] | None
    days_total: int | None
    days_elapsed: int | None = Field(description="Days of the plan before today.")
    days_remaining: int | None = Field(description="Days from today to the end, both included.")
    goals_total: int
    goals_completed: int
    goals_in_progress: int
    goals_not_started: int
    goals_overdue: int
    estimated_hours: float
    completed_hours: float
    remaining_hours: float
    completion_percentage: float = Field(description="Progress weighted by estimated hours.")
    expected_percentage: float | None = Field(description="Share of the plan's days passed.")
    schedule_status: ScheduleStatus = Field(description="behind/ahead: more than 10 points off.")
    required_hours_per_week: float | None
    sessions_completed: int
    hours_studied: float
    goals: list[GoalFigures]


class RecommendationOut(BaseModel):
    type: Literal["schedule", "deadline", "performance", "flashcards", "quiz", "consistency"]
    priority: Priority
    title: str
    description: str
    action: str
    metadata: dict[str, Any] = Field(description="The figures that triggered it.")


class RecommendationsOut(BaseModel):
    plan_id: UUID
    generated_at: datetime
    recommendations: list[RecommendationOut]


class NextGoal(BaseModel):
    goal_id: UUID
    title: str
    target_date: date | None


class PlanSummary(BaseModel):
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
    next_goal: NextGoal | None = Field(description="First unfinished goal in recommended order.")


class TodaySchedule(BaseModel):
    plan_id: UUID
    plan_title: str
    sessions: list[dict[str, Any]]
    total_hours: float


class UpcomingGoal(GoalFigures):
    plan_id: UUID
    days_left: int


class PlansDashboardOut(BaseModel):
    today: date
    timezone: str
    active_plans: int
    plans: list[PlanSummary] = Field(description="Plans that are not archived.")
    today_schedule: list[TodaySchedule] = Field(description="Today's part of saved schedules.")
    studied_today_hours: float
    upcoming_goals: list[UpcomingGoal]


class Streak(BaseModel):
    current: int = Field(
        description="Consecutive local days with a completed session, ending today or yesterday."
    )
    longest: int


class HourBucket(BaseModel):
    hour: int = Field(ge=0, le=23, description="Local hour the sessions started in.")
    count: int
    avg_duration: float = Field(description="Minutes.")
    total_minutes: float
    avg_productivity: float | None


class HourCount(BaseModel):
    hour: int
    count: int
    avg_productivity: float | None


class SessionStatsOut(BaseModel):
    start_date: date | None
    end_date: date | None
    timezone: str
    total_sessions: int
    total_hours: float
    average_duration_minutes: float
    average_productivity: float | None
    active_days: int
    sessions_by_hour: list[HourBucket]
    most_productive_hours: list[HourCount] = Field(description="Top 3 hours by sessions.")
    current_streak: Streak = Field(description="Over all history, whatever the date range.")


class WeekProgress(BaseModel):
    week: date = Field(description="Monday of the week.")
    count: int = Field(description="Completed sessions.")
    hours: float
    goals_completed: int


class Velocity(BaseModel):
    current_velocity: float = Field(description="Goal hours earned per day in the period.")
    target_velocity: float = Field(
        description="Goal hours per day that finish active plans by their end."
    )
    velocity_ratio: float | None
    status: Literal["on_track", "behind", "no_target"] = Field(description="on_track from 0.9.")


class BestHour(BaseModel):
    hour: int
    avg_productivity: float | None
    count: int


class Patterns(BaseModel):
    best_hours: list[BestHour]
    peak_productivity_time: int | None


class Insight(BaseModel):
    type: str
    priority: Priority
    message: str
    suggestion: str
    metadata: dict[str, Any]


class OverviewOut(BaseModel):
    days: int
    start_date: date
    end_date: date
    timezone: str
    total_study_hours: float
    average_daily_hours: float
    sessions_completed: int
    active_days: int
    goals_completed: int
    completion_rate: float = Field(
        description="Goals completed in the period over goals open during it."
    )
    progress_by_week: list[WeekProgress]
    learning_velocity: Velocity
    productivity_patterns: Patterns
    recommendations: list[Insight]


class WeekTrend(BaseModel):
    week: date
    hours: float
    sessions: int
    active_days: int
    average_duration_minutes: float | None
    average_productivity: float | None
    goals_completed: int
    progress_hours: float = Field(description="Estimated goal hours earned by progress.")


class Trend(BaseModel):
    recent: float = Field(description="Mean per week over the recent weeks.")
    previous: float = Field(description="Mean per week over as many weeks before.")
    change_percentage: float | None
    direction: Literal["up", "down", "flat"]


class TrendsOut(BaseModel):
    weeks: int
    start_date: date
    end_date: date
    timezone: str
    series: list[WeekTrend]
    trends: dict[str, Trend] = Field(
        description="hours, sessions, average_productivity, progress_hours, goals_completed."
    )


class PathGoal(BaseModel):
    goal_id: UUID
    title: str
    remaining_hours: float
    priority: int
    target_date: date | None
    blocked: bool


class BlockedGoal(BaseModel):
    goal_id: UUID
    title: str
    blocked_by: list[UUID]


class CriticalPath(BaseModel):
    goal_ids: list[UUID]
    titles: list[str]
    hours: float = Field(description="Remaining hours along the longest prerequisite chain.")


class PlanPath(BaseModel):
    plan_id: UUID
    title: str
    goals_total: int
    goals_completed: int
    remaining_hours: float
    recommended_order: list[PathGoal]
    available_goals: list[UUID] = Field(description="Unfinished goals with nothing blocking them.")
    blocked_goals: list[BlockedGoal]
    critical_path: CriticalPath
    cycle: list[UUID] | None


class PathAnalysisOut(BaseModel):
    plans: list[PlanPath]


class Deadline(BaseModel):
    type: Literal["goal", "study_plan", "exam"]
    id: UUID
    title: str
    due_date: date
    priority: str
    days_left: int


class Achievement(BaseModel):
    type: Literal["study_streak", "study_hours", "goal_completed", "study_plan_completed"]
    title: str
    achieved_at: datetime


class ActivityDashboardOut(BaseModel):
    study_streak: Streak
    weekly_hours: float = Field(description="Hours in the last 7 local days, today included.")
    goals_completed_this_month: int
    upcoming_deadlines: list[Deadline] = Field(description="The next 30 days, at most 10.")
    recent_achievements: list[Achievement] = Field(description="The last 30 days, at most 10.")
    today: date
    timezone: str
