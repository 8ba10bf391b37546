"""Study plan, goal and study session schemas: request bodies and resources."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import MISSING, BaseModel, Field

from aksio.aggregates.learning.study_session import SessionType
from aksio.api.schemas.common import Id, IsoDate, Strict

PriorityLevel = Literal["low", "medium", "high"]
PlanStatus = Literal["active", "paused", "completed", "archived"]
TimeWindow = Literal["morning", "afternoon", "evening", "night"]
Concept = Annotated[str, Field(min_length=1, max_length=100)]
Text = Annotated[str, Field(max_length=10_000)]
Title = Annotated[str, Field(min_length=1, max_length=200)]


class StudyPlanCreate(Strict):
    course: Id | None = Field(default=None, description="One of your courses.")
    title: Title
    description: Text | None = None
    start_date: IsoDate | None = Field(default=None, description="Defaults to today (your zone).")
    end_date: IsoDate | None = Field(
        default=None, description="Without it, schedules run to the day before the course's exam."
    )
    study_hours_per_week: float | None = Field(default=None, gt=0, le=168)
    priority_level: PriorityLevel = "medium"


class StudyPlanUpdate(Strict):
    """Fields left out stay; null clears the course, description, end date or weekly hours."""

    course: Id | MISSING | None = MISSING
    title: Title | MISSING = MISSING
    description: Text | MISSING | None = MISSING
    start_date: IsoDate | MISSING = MISSING
    end_date: IsoDate | MISSING | None = MISSING
    study_hours_per_week: float | MISSING | None = Field(default=MISSING, gt=0, le=168)
    priority_level: PriorityLevel | MISSING = MISSING
    status: PlanStatus | MISSING = MISSING


class StudyPlanOut(BaseModel):
    id: UUID
    course: UUID | None
    title: str
    description: str | None
    start_date: date | None
    end_date: date | None
    study_hours_per_week: float | None
    priority_level: str
    status: str
    goal_count: int
    has_schedule: bool
    schedule_saved_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> StudyPlanOut:
        return cls.model_validate(
            {
                **row,
                "course": row["course_id"],
                "goal_count": len(row["graph"]),
                "has_schedule": row["schedule"] is not None,
            }
        )


class ScheduleRequest(Strict):
    hours_per_day: float | None = Field(
        default=None,
        gt=0,
        le=24,
        description="Cap per day; defaults to study_hours_per_week spread over the study days, "
        "else 2.",
    )
    preferred_times: list[TimeWindow] | None = Field(
        default=None,
        min_length=1,
        description="Windows: morning 08-12, afternoon 12-17, evening 18-21, night 21-24 "
        "(all four when omitted), filled earliest first.",
    )
    include_weekends: bool = False
    save_schedule: bool = Field(default=False, description="Keep this schedule on the plan.")


class TimeSlot(BaseModel):
    start: str = Field(description="Local time HH:MM.")
    end: str = Field(description="Local time HH:MM; 24:00 is the end of the day.")


class ScheduledSession(BaseModel):
    goal_id: UUID
    goal_title: str
    duration_hours: float
    time_slot: TimeSlot
    window: TimeWindow
    focus_areas: list[str]


class ScheduleDay(BaseModel):
    date: date
    sessions: list[ScheduledSession]
    total_hours: float


class GoalCreate(Strict):
    study_plan: Id
    title: Title
    description: Text | None = None
    target_date: IsoDate | None = None
    estimated_hours: float = Field(default=1.0, ge=0, le=10_000)
    priority: int = Field(default=3, ge=1, le=5, description="1 is the highest.")
    key_concepts: list[Concept] = Field(default_factory=list, max_length=50)
    prerequisites: list[Id] = Field(
        default_factory=list, max_length=100, description="Goals of the same study plan."
    )


class GoalUpdate(Strict):
    """Fields left out stay; null clears the description or target date."""

    title: Title | MISSING = MISSING
    description: Text | MISSING | None = MISSING
    target_date: IsoDate | MISSING | None = MISSING
    estimated_hours: float | MISSING = Field(default=MISSING, ge=0, le=10_000)
    priority: int | MISSING = Field(default=MISSING, ge=1, le=5)
    key_concepts: list[Concept] | MISSING = Field(default=MISSING, max_length=50)
    prerequisites: list[Id] | MISSING = Field(
        default=MISSING, max_length=100, description="Replaces the list; [] for none."
    )


class ProgressUpdate(Strict):
    progress_percentage: float = Field(ge=0, le=100)
    notes: Text | None = None


class GoalOut(BaseModel):
    id: UUID
    study_plan: UUID
    title: str
    description: str | None
    target_date: date | None
    estimated_hours: float
    priority: int
    key_concepts: list[str]
    prerequisites: list[UUID]
    progress_percentage: float
    status: Literal["not_started", "in_progress", "completed"]
    notes: str | None
    hours_spent: float = Field(description="Hours of completed sessions that worked on it.")
    sessions_count: int
    completed_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> GoalOut:
        hours = round(row["seconds_spent"] / 3600, 2)
        return cls.model_validate({**row, "study_plan": row["plan_id"], "hours_spent": hours})


class ResourceOut(BaseModel):
    source: Literal["document", "catalog"]
    type: str
    title: str
    url: str | None
    estimated_time: str | None
    difficulty: str | None
    matched_concepts: list[str]
    document_id: UUID | None
    excerpt: str | None


class GoalResourcesOut(BaseModel):
    goal_id: UUID
    concepts: list[str]
    resources: list[ResourceOut]


class StudySessionCreate(Strict):
    study_plan: Id | None = None
    session_type: SessionType = "focused_study"
    planned_duration_minutes: int | None = Field(default=None, ge=1, le=1440)
    focus_areas: list[Concept] = Field(default_factory=list, max_length=50)
    learning_objectives: list[Annotated[str, Field(max_length=500)]] = Field(
        default_factory=list, max_length=50
    )


class StudySessionUpdate(Strict):
    """Fields left out stay; null clears the planned duration, notes or rating."""

    session_type: SessionType | MISSING = MISSING
    planned_duration_minutes: int | MISSING | None = Field(default=MISSING, ge=1, le=1440)
    focus_areas: list[Concept] | MISSING = Field(default=MISSING, max_length=50)
    learning_objectives: list[Annotated[str, Field(max_length=500)]] | MISSING = Field(
        default=MISSING, max_length=50
    )
    notes: Text | MISSING | None = MISSING
    productivity_rating: int | MISSING | None = Field(default=MISSING, ge=1, le=5)
    topics_covered: list[Concept] | MISSING = Field(default=MISSING, max_length=50)


class GoalProgressItem(Strict):
    goal_id: Id
    progress_percentage: float = Field(ge=0, le=100)


class StudySessionComplete(Strict):
    productivity_rating: int | None = Field(default=None, ge=1, le=5)
    notes: Text | None = None
    topics_covered: list[Concept] = Field(default_factory=list, max_length=50)
    goals_worked_on: list[Id] = Field(default_factory=list, max_length=50)
    progress_updates: list[GoalProgressItem] = Field(default_factory=list, max_length=50)


class StudySessionOut(BaseModel):
    id: UUID
    study_plan: UUID | None
    session_type: str
    planned_duration_minutes: int | None
    focus_areas: list[str]
    learning_objectives: list[str]
    status: Literal["in_progress", "completed"]
    started_at: datetime
    completed_at: datetime | None
    duration_minutes: int | None
    productivity_rating: int | None
    notes: str | None
    topics_covered: list[str]
    goals_worked_on: list[UUID]
    progress_updates: list[GoalProgressItem]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> StudySessionOut:
        return cls.model_validate({**row, "study_plan": row["plan_id"]})
