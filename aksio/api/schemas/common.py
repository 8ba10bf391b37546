"""Schemas shared by every context."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from fastapi import Request
from pydantic import BaseModel, ConfigDict

from aksio.api.deps import page_links
from aksio.projections.paging import Page

T = TypeVar("T", bound=BaseModel)


class Strict(BaseModel):
    """Request bodies: unknown fields are refused, so typos do not pass silently."""

    model_config = ConfigDict(extra="forbid")


class PageOut(BaseModel, Generic[T]):
    count: int
    next: str | None
    previous: str | None
    results: list[T]

    @classmethod
    def of(cls, request: Request, page: Page, item: type[T]) -> Any:
        return cls(
            count=page.count,
            results=[item.model_validate(row) for row in page.rows],
            **page_links(request, page.page, page.has_next),
        )


class ErrorOut(BaseModel):
    error: str
    details: dict[str, Any]
    error_code: str
    timestamp: str
    request_id: str


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (400, 401, 404, 409, 413, 422, 429)
}
