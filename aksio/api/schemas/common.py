"""Schemas shared by every context."""

from __future__ import annotations

import types
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any, Generic, TypeVar, Union, get_args, get_origin
from uuid import UUID

from fastapi import Request
from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationInfo, field_validator
from pydantic import Strict as Exact
from pydantic_core import PydanticCustomError

from aksio.api.deps import page_links
from aksio.projections.engine.paging import Page

T = TypeVar("T", bound=BaseModel)


class Strict(BaseModel):
    """Request bodies: unknown fields are refused, so typos do not pass silently, and values
    are never coerced (`false` is no number, `0` no boolean, `"5"` no integer).

    A field that may be left out but not be null is typed `T | MISSING = MISSING`: the
    OpenAPI schema then says it is not nullable, a null is refused, and a field left out
    is absent from `model_dump()`. Ids, dates and times come as strings in JSON, so they
    use `Id`, `IsoDate` and `IsoDateTime` below, which take ISO strings only.
    """

    model_config = ConfigDict(extra="forbid", strict=True)

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_null(cls, value: Any, info: ValidationInfo) -> Any:
        # A null is a broken rule of a well-formed body (422), not a wrong type (400).
        if value is None and info.field_name and not _nullable(cls, info.field_name):
            raise PydanticCustomError("null_not_allowed", "May not be null.")
        if type(value) is float and value.is_integer() and _integral(cls, info.field_name):
            return int(value)  # JSON Schema's integer takes 5.0: the number, not its spelling
        return value


@cache
def _nullable(model: type[BaseModel], name: str) -> bool:
    annotation = model.model_fields[name].annotation
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (Union, types.UnionType):
        return type(None) in get_args(annotation)
    return annotation is None or annotation is type(None)


@cache
def _integral(model: type[BaseModel], name: str | None) -> bool:
    """Whether the field takes integers and not other numbers."""
    if name is None:
        return False
    kinds: list[Any] = [model.model_fields[name].annotation]
    found: set[Any] = set()
    while kinds:
        kind = kinds.pop()
        if get_origin(kind) is Annotated:
            kinds.append(get_args(kind)[0])
        elif get_origin(kind) in (Union, types.UnionType):
            kinds.extend(get_args(kind))
        else:
            found.add(kind)
    return int in found and float not in found


def _iso(kind: type[date]) -> Any:
    """Parses ISO 8601 strings only; any other value is a wrong type (a null is left to the
    field, which may allow it)."""
    name = kind.__name__

    def parse(value: Any) -> Any:
        if value is None or isinstance(value, kind):
            return value
        if not isinstance(value, str):
            raise PydanticCustomError(f"{name}_type", f"Input should be an ISO 8601 {name}.")
        try:
            parsed = kind.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is None or (kind is date and len(value) != 10):
            raise PydanticCustomError("iso_format", f"Input should be an ISO 8601 {name}.")
        return parsed

    return BeforeValidator(parse)


Id = Annotated[UUID, Exact(False)]
"""A UUID given as a string."""
IsoDate = Annotated[date, Exact(False), _iso(date)]
"""`YYYY-MM-DD` only: no Unix timestamps (`0` is not 1970-01-01)."""
IsoDateTime = Annotated[datetime, Exact(False), _iso(datetime)]
"""An ISO 8601 date and time string."""


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
