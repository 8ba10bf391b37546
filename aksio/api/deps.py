"""`Annotated` dependencies shared by every route.

The cheap ones are `async def` so that FastAPI calls them on the event loop: it runs
every plain `def` dependency in its thread pool, a thread hop each.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, Any, TypeVar
from uuid import UUID

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Connection

from aksio.bootstrap import System
from aksio.commands.bus import Command
from aksio.core.errors import AuthenticationFailed

R = TypeVar("R")
bearer = HTTPBearer(auto_error=False)


async def get_system(request: Request) -> System:
    system: System = request.app.state.system
    return system


SystemDep = Annotated[System, Depends(get_system)]


async def current_user(
    system: SystemDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> UUID:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise AuthenticationFailed("Authentication credentials were not provided.")
    return system.tokens.user_of_access(credentials.credentials)


CurrentUser = Annotated[UUID, Depends(current_user)]


class Commands:
    """Runs a command and waits until the read models show its effect."""

    def __init__(self, system: System) -> None:
        self.system = system

    def run(self, command: Command[R]) -> R:
        outcome = self.system.bus.dispatch(command)
        if outcome.position:
            self.system.wait_for(outcome.position)
        return outcome.value


async def get_commands(system: SystemDep) -> Commands:
    return Commands(system)


Bus = Annotated[Commands, Depends(get_commands)]


def get_reads(system: SystemDep) -> Iterator[Connection]:
    with system.engine.connect() as conn:
        yield conn


Reads = Annotated[Connection, Depends(get_reads)]


async def get_now(system: SystemDep) -> datetime:
    return system.clock.now()


Now = Annotated[datetime, Depends(get_now)]


# Past this page a list is empty anyway; the bound keeps (page - 1) * page_size well inside the
# 64-bit OFFSET of SQLite and PostgreSQL (a larger page used to overflow into a 500).
MAX_PAGE = 1_000_000_000


class PageParams:
    def __init__(
        self,
        page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page number, from 1.")] = 1,
        page_size: Annotated[int, Query(ge=1, le=200, description="Items per page.")] = 50,
    ) -> None:
        self.page = page
        self.page_size = page_size


Paging = Annotated[PageParams, Depends()]


def page_links(request: Request, page: int, has_next: bool) -> dict[str, Any]:
    url = request.url
    nxt = str(url.include_query_params(page=page + 1)) if has_next else None
    prev = str(url.include_query_params(page=page - 1)) if page > 1 else None
    return {"next": nxt, "previous": prev}
