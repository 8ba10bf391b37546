"""Course and section schemas."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import MISSING, BaseModel, Field

from aksio.aggregates.flashcards.schedule import Scheduler
from aksio.api.schemas.common import IsoDate, Strict

Difficulty = Literal["beginner", "intermediate", "advanced"]


class CourseFields(Strict):
    description: str | None = Field(default=None, max_length=10_000)
    university: str | None = Field(default=None, max_length=200)
    course_code: str | None = Field(default=None, max_length=50)
    semester: str | None = Field(default=None, max_length=50)
    academic_year: str | None = Field(default=None, max_length=20)
    credits: int | None = Field(default=None, ge=0, le=100)
    language: str | None = Field(default=None, max_length=50)
    subject_area: str | None = Field(default=None, max_length=100)
    difficulty_level: Difficulty | None = None
    color: str | None = Field(default=None, pattern=r"^#[0-9A-Fa-f]{6}$")
    icon: str | None = Field(default=None, max_length=16)
    start_date: IsoDate | None = None
    end_date: IsoDate | None = None
    exam_date: IsoDate | None = None
    scheduler: Scheduler | None = Field(
        default=None,
        description="Spaced-repetition scheduler of the course's cards; "
        "null means the owner's profile choice (SM-2 unless changed).",
    )
    desired_retention: float | None = Field(
        default=None,
        ge=0.70,
        le=0.97,
        description="FSRS's target recall for the course's cards; null: the profile's.",
    )


class CourseCreate(CourseFields):
    name: str = Field(min_length=1, max_length=200)


class CourseUpdate(CourseFields):
    """Fields left out stay; null clears a field that may be empty."""

    name: str | MISSING = Field(default=MISSING, min_length=1, max_length=200)
    status: Literal["active", "archived"] | MISSING = MISSING


class CourseOut(BaseModel):
    id: UUID
    name: str
    description: str | None
    university: str | None
    course_code: str | None
    semester: str | None
    academic_year: str | None
    credits: int | None
    language: str | None
    subject_area: str | None
    difficulty_level: str | None
    color: str | None
    icon: str | None
    start_date: date | None
    end_date: date | None
    exam_date: date | None
    scheduler: str | None
    desired_retention: float | None
    fsrs_parameters: list[float] | None = Field(
        description="FSRS parameters fitted to the course's reviews; null: the profile's."
    )
    status: str
    section_count: int
    created_at: datetime
    updated_at: datetime


class SectionCreate(Strict):
    title: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=10_000)
    order: int = Field(default=0, ge=0, le=1_000_000)


class SectionUpdate(Strict):
    title: str | MISSING = Field(default=MISSING, min_length=1, max_length=200)
    description: str | MISSING | None = Field(default=MISSING, max_length=10_000)
    order: int | MISSING = Field(default=MISSING, ge=0, le=1_000_000)


class SectionOut(BaseModel):
    id: UUID
    course_id: UUID
    title: str
    description: str | None
    order: int
    created_at: datetime
    updated_at: datetime
