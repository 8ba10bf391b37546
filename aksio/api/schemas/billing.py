"""Billing schemas: subscription, plan change and usage."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from aksio.api.schemas.common import Strict

PlanId = Literal["free", "premium_monthly"]


class PlanLimits(BaseModel):
    ai_tokens: int = Field(description="AI tokens a calendar month.")
    documents: int
    storage_mb: int


class SubscriptionOut(BaseModel):
    id: UUID
    plan_id: str
    plan_name: str
    status: Literal["active"] = "active"
    price_cents: int = Field(description="Price of the plan each month, in cents.")
    currency: str
    limits: PlanLimits
    current_period_start: date
    current_period_end: date
    last_payment_reference: str | None = Field(
        description="Reference of the charge made by the last plan change, if it cost anything."
    )
    created_at: datetime | None = Field(
        description="When the subscription first changed; null while on the default free plan."
    )
    updated_at: datetime | None


class UpgradeRequest(Strict):
    plan_id: PlanId
    payment_method_token: str | None = Field(
        default=None,
        min_length=4,
        max_length=200,
        pattern=r"^pm_[A-Za-z0-9_]+$",
        description="A payment-method token (`pm_...`); required for a paid plan.",
    )


class CurrentPeriod(BaseModel):
    start_date: date
    end_date: date
    ai_tokens_used: int
    ai_tokens_limit: int
    documents_processed: int
    documents_limit: int
    storage_used_mb: float
    storage_limit_mb: int


class UsagePercentage(BaseModel):
    ai_tokens: float
    documents: float
    storage: float


class UsageOut(BaseModel):
    plan_id: str
    current_period: CurrentPeriod
    usage_percentage: UsagePercentage
