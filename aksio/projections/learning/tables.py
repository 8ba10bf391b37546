"""Tables of the learning read model (see `projection` for how events fill them)."""

from __future__ import annotations

import sqlalchemy as sa

from aksio.projections.engine.db import UtcDateTime, metadata

study_plans = sa.Table(
    "rm_study_plans",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("owner_id", sa.Uuid, nullable=False, index=True),
    sa.Column("course_id", sa.Uuid),
    sa.Column("title", sa.String, nullable=False),
    sa.Column("description", sa.Text),
    sa.Column("start_date", sa.Date),
    sa.Column("end_date", sa.Date),
    sa.Column("study_hours_per_week", sa.Float),
    sa.Column("priority_level", sa.String, nullable=False),
    sa.Column("status", sa.String, nullable=False),
    sa.Column("graph", sa.JSON, nullable=False),
    sa.Column("goals_added", sa.Integer, nullable=False, default=0),
    sa.Column("schedule", sa.JSON),
    sa.Column("schedule_parameters", sa.JSON),
    sa.Column("schedule_unscheduled_hours", sa.Float),
    sa.Column("schedule_saved_at", UtcDateTime),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

goals = sa.Table(
    "rm_goals",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("owner_id", sa.Uuid, nullable=False, index=True),
    sa.Column("plan_id", sa.Uuid, nullable=False, index=True),
    sa.Column("title", sa.String, nullable=False),
    sa.Column("description", sa.Text),
    sa.Column("target_date", sa.Date),
    sa.Column("estimated_hours", sa.Float, nullable=False),
    sa.Column("priority", sa.Integer, nullable=False),
    sa.Column("seq", sa.Integer, nullable=False, default=0),
    sa.Column("key_concepts", sa.JSON, nullable=False),
    sa.Column("prerequisites", sa.JSON, nullable=False),
    sa.Column("progress_percentage", sa.Float, nullable=False),
    sa.Column("status", sa.String, nullable=False),
    sa.Column("notes", sa.Text),
    sa.Column("seconds_spent", sa.BigInteger, nullable=False),
    sa.Column("sessions_count", sa.Integer, nullable=False),
    sa.Column("progress_events", sa.Integer, nullable=False),
    sa.Column("completed_at", UtcDateTime),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

goal_progress = sa.Table(
    "rm_goal_progress",
    metadata,
    sa.Column("goal_id", sa.Uuid, primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("owner_id", sa.Uuid, nullable=False),
    sa.Column("plan_id", sa.Uuid, nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("progress_before", sa.Float, nullable=False),
    sa.Column("progress_after", sa.Float, nullable=False),
    sa.Column("delta_hours", sa.Float, nullable=False),
    sa.Column("session_id", sa.Uuid),
    sa.Column("notes", sa.Text),
    sa.Index("ix_rm_goal_progress_owner_at", "owner_id", "at"),
)

study_sessions = sa.Table(
    "rm_study_sessions",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("owner_id", sa.Uuid, nullable=False),
    sa.Column("plan_id", sa.Uuid),
    sa.Column("session_type", sa.String, nullable=False),
    sa.Column("planned_duration_minutes", sa.Integer),
    sa.Column("focus_areas", sa.JSON, nullable=False),
    sa.Column("learning_objectives", sa.JSON, nullable=False),
    sa.Column("status", sa.String, nullable=False),
    sa.Column("started_at", UtcDateTime, nullable=False),
    sa.Column("started_s", sa.BigInteger, nullable=False),
    sa.Column("completed_at", UtcDateTime),
    sa.Column("duration_seconds", sa.Integer),
    sa.Column("duration_minutes", sa.Integer),
    sa.Column("productivity_rating", sa.Integer),
    sa.Column("notes", sa.Text),
    sa.Column("topics_covered", sa.JSON, nullable=False),
    sa.Column("goals_worked_on", sa.JSON, nullable=False),
    sa.Column("progress_updates", sa.JSON, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    # Covers the grouping queries of `time`, which then never read the table.
    sa.Index(
        "ix_rm_study_sessions_owner_status_start",
        "owner_id",
        "status",
        "started_s",
        "duration_seconds",
        "productivity_rating",
    ),
)
