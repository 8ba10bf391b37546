"""Dependencies and lookups shared by the learning routes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from pydantic import BaseModel

from aksio.api.deps import CurrentUser, Reads, page_links
from aksio.api.schemas.common import PageOut
from aksio.core.errors import NotFound
from aksio.projections.engine.paging import Page
from aksio.projections.learning import queries as q
from aksio.projections.learning.time import user_zone

T = TypeVar("T", bound=BaseModel)


def get_zone(user: CurrentUser, reads: Reads) -> ZoneInfo:
    return user_zone(reads, user)


Zone = Annotated[ZoneInfo, Depends(get_zone)]


def plan_row(reads: Reads, user: UUID, plan_id: UUID) -> dict[str, Any]:
    row = q.get_plan(reads, user, plan_id)
    if row is None:
        raise NotFound("Study plan")
    return row


def goal_row(reads: Reads, user: UUID, goal_id: UUID) -> dict[str, Any]:
    row = q.get_goal(reads, user, goal_id)
    if row is None:
        raise NotFound("Goal")
    return row


def session_row(reads: Reads, user: UUID, session_id: UUID) -> dict[str, Any]:
    row = q.get_session(reads, user, session_id)
    if row is None:
        raise NotFound("Study session")
    return row


def page_of(request: Request, page: Page, convert: Callable[[dict[str, Any]], T]) -> PageOut[T]:
    """The paged envelope, each row turned into its resource by `convert`."""
    links = page_links(request, page.page, page.has_next)
    results = [convert(r) for r in page.rows]
    return PageOut.model_construct(count=page.count, results=results, **links)
