"""Schemas of the accounts context: credentials, token pairs, profile and feedback."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import MISSING, BaseModel, EmailStr, Field

from aksio.aggregates.flashcards.schedule import Scheduler
from aksio.api.schemas.common import Strict

Password = Field(min_length=8, max_length=256, description="At least 8 characters.")
USERNAME_PATTERN = r"^[\w.@+-]+$"


class RegisterIn(Strict):
    email: EmailStr
    password: str = Password
    username: str | None = Field(
        default=None,
        min_length=1,
        max_length=150,
        pattern=USERNAME_PATTERN,
        description="Letters, digits and @.+-_; defaults to the email.",
    )
    first_name: str = Field(default="", max_length=150)
    last_name: str = Field(default="", max_length=150)


class LoginIn(Strict):
    username: str = Field(max_length=254, description="The username or the email address.")
    password: str = Field(max_length=256)


class RefreshIn(Strict):
    refresh: str = Field(max_length=4096)


class PasswordResetIn(Strict):
    # Any address shape, not EmailStr: a reserved or undeliverable domain has no account,
    # and the answer is 200 for every address with or without one.
    email: str = Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")


class PasswordResetConfirmIn(Strict):
    token: str = Field(min_length=1, max_length=512)
    new_password: str = Password


class UserSummary(BaseModel):
    id: UUID
    username: str
    email: str
    first_name: str
    last_name: str


class SessionOut(BaseModel):
    access: str
    refresh: str
    user: UserSummary


class TokenPairOut(BaseModel):
    access: str
    refresh: str


class DetailOut(BaseModel):
    detail: str


class ProfileUpdate(Strict):
    first_name: str | MISSING = Field(default=MISSING, max_length=150)
    last_name: str | MISSING = Field(default=MISSING, max_length=150)
    bio: str | MISSING = Field(default=MISSING, max_length=5000)
    timezone: str | MISSING = Field(
        default=MISSING, max_length=64, description="An IANA time zone name, e.g. Europe/Oslo."
    )
    language_preference: str | MISSING = Field(default=MISSING, min_length=2, max_length=35)
    learning_style: str | MISSING | None = Field(
        default=MISSING, max_length=50, description="null clears it."
    )
    study_goals: list[Annotated[str, Field(max_length=200)]] | MISSING = Field(
        default=MISSING, max_length=50
    )
    scheduler: Scheduler | MISSING = Field(
        default=MISSING, description="Spaced-repetition scheduler of your cards (default sm2)."
    )
    desired_retention: float | MISSING = Field(
        default=MISSING, ge=0.70, le=0.97, description="FSRS's target recall (default 0.90)."
    )


class ProfileOut(BaseModel):
    id: UUID
    username: str
    email: str
    first_name: str
    last_name: str
    bio: str
    timezone: str
    language_preference: str
    learning_style: str | None
    study_goals: list[str]
    scheduler: str
    desired_retention: float
    fsrs_parameters: list[float] | None = Field(
        description="FSRS parameters fitted to your reviews (optimize/); null: the defaults."
    )
    date_joined: datetime
    created_at: datetime
    updated_at: datetime


class FeedbackIn(Strict):
    feedback_type: str = Field(
        default="general",
        min_length=1,
        max_length=50,
        description="For example bug_report, feature_request, general.",
    )
    subject: str = Field(default="", max_length=200)
    message: str = Field(min_length=1, max_length=10_000)


class ScreenshotOut(BaseModel):
    size: int
    content_type: str
    sha256: str


class FeedbackOut(BaseModel):
    id: UUID
    feedback_type: str
    subject: str
    message: str
    screenshot: ScreenshotOut | None
    created_at: datetime
    updated_at: datetime


def feedback_request_body() -> dict[str, Any]:
    """OpenAPI text for a body that is JSON, or a multipart form with a `screenshot` file."""
    form = FeedbackIn.model_json_schema()
    form["properties"] = {
        **form["properties"],
        "screenshot": {"type": "string", "format": "binary", "description": "PNG/JPEG/GIF/WebP"},
    }
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": FeedbackIn.model_json_schema()},
                "multipart/form-data": {"schema": form},
            },
        }
    }
