"""Queries of the learning read model: one plan, goal or session, and paged lists."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from aksio.projections.engine.base import Row
from aksio.projections.engine.paging import Page, first_row, paged
from aksio.projections.learning.tables import goal_progress, goals, study_plans, study_sessions

GOAL_ORDER = (goals.c.created_at, goals.c.seq, goals.c.id)


def get_plan(conn: Connection, owner_id: UUID, plan_id: UUID) -> Row | None:
    t = study_plans
    return first_row(conn, sa.select(t).where(t.c.id == plan_id, t.c.owner_id == owner_id))


def list_plans(
    conn: Connection,
    owner_id: UUID,
    page: int,
    page_size: int,
    *,
    status: str | None = None,
    course_id: UUID | None = None,
) -> Page:
    t = study_plans
    query = sa.select(t).where(t.c.owner_id == owner_id)
    if status:
        query = query.where(t.c.status == status)
    if course_id:
        query = query.where(t.c.course_id == course_id)
    return paged(conn, query.order_by(t.c.created_at, t.c.id), page, page_size)


def all_plans(conn: Connection, owner_id: UUID) -> list[Row]:
    t = study_plans
    query = sa.select(t).where(t.c.owner_id == owner_id).order_by(t.c.created_at, t.c.id)
    return [dict(r) for r in conn.execute(query).mappings()]


def get_goal(conn: Connection, owner_id: UUID, goal_id: UUID) -> Row | None:
    return first_row(
        conn, sa.select(goals).where(goals.c.id == goal_id, goals.c.owner_id == owner_id)
    )


def list_goals(
    conn: Connection,
    owner_id: UUID,
    page: int,
    page_size: int,
    *,
    plan_id: UUID | None = None,
    status: str | None = None,
) -> Page:
    query = sa.select(goals).where(goals.c.owner_id == owner_id)
    if plan_id:
        query = query.where(goals.c.plan_id == plan_id)
    if status:
        query = query.where(goals.c.status == status)
    return paged(conn, query.order_by(*GOAL_ORDER), page, page_size)


def owner_goals(conn: Connection, owner_id: UUID, plan_id: UUID | None = None) -> list[Row]:
    """Every goal of the learner (or of one plan), in creation order."""
    query = sa.select(goals).where(goals.c.owner_id == owner_id)
    if plan_id is not None:
        query = query.where(goals.c.plan_id == plan_id)
    query = query.order_by(*GOAL_ORDER)
    return [dict(r) for r in conn.execute(query).mappings()]


def get_session(conn: Connection, owner_id: UUID, session_id: UUID) -> Row | None:
    t = study_sessions
    return first_row(conn, sa.select(t).where(t.c.id == session_id, t.c.owner_id == owner_id))


def list_sessions(
    conn: Connection,
    owner_id: UUID,
    page: int,
    page_size: int,
    *,
    plan_id: UUID | None = None,
    status: str | None = None,
) -> Page:
    """The learner's sessions, most recent first."""
    t = study_sessions
    query = sa.select(t).where(t.c.owner_id == owner_id)
    if plan_id:
        query = query.where(t.c.plan_id == plan_id)
    if status:
        query = query.where(t.c.status == status)
    return paged(conn, query.order_by(t.c.started_s.desc(), t.c.id), page, page_size)


def progress_hours(
    conn: Connection, owner_id: UUID, start: datetime, end: datetime
) -> list[tuple[datetime, float]]:
    """(time, hours of goal progress) for every progress change in [start, end)."""
    t = goal_progress
    query = (
        sa.select(t.c.at, t.c.delta_hours)
        .where(t.c.owner_id == owner_id, t.c.at >= start, t.c.at < end)
        .order_by(t.c.at)
    )
    return [(at, float(hours)) for at, hours in conn.execute(query)]


def plan_session_hours(conn: Connection, owner_id: UUID, plan_id: UUID) -> tuple[int, float]:
    """(completed sessions, hours) of one plan."""
    t = study_sessions
    query = sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(t.c.duration_seconds), 0))
    query = query.where(t.c.owner_id == owner_id, t.c.plan_id == plan_id)
    count, seconds = conn.execute(query.where(t.c.status == "completed")).one()
    return int(count), int(seconds) / 3600


def last_session_at(conn: Connection, owner_id: UUID, plan_id: UUID | None) -> datetime | None:
    t = study_sessions
    query = sa.select(sa.func.max(t.c.started_at)).where(
        t.c.owner_id == owner_id, t.c.status == "completed"
    )
    if plan_id is not None:
        query = query.where(t.c.plan_id == plan_id)
    found: datetime | None = conn.execute(query).scalar()
    return found


def session_seconds(
    conn: Connection, owner_id: UUID, start: datetime, end: datetime, plan_id: UUID | None = None
) -> tuple[int, int]:
    """(completed sessions, seconds) of sessions started in [start, end)."""
    t = study_sessions
    query = sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(t.c.duration_seconds), 0))
    query = query.where(t.c.owner_id == owner_id, t.c.status == "completed")
    query = query.where(t.c.started_at >= start, t.c.started_at < end)
    if plan_id is not None:
        query = query.where(t.c.plan_id == plan_id)
    count, seconds = conn.execute(query).one()
    return int(count), int(seconds)
