"""`Annotated` dependencies shared by every route.

The cheap ones are `async def` so that FastAPI calls them on the event loop: it runs
every plain `def` dependency in its thread pool, a thread hop each.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar, cast
from uuid import UUID

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Connection

from aksio.api.reads import LazyReads
from aksio.bootstrap import System
from aksio.commands.bus import Command
from aksio.core.errors import AuthenticationFailed, ServiceUnavailable

R = TypeVar("R")
bearer = HTTPBearer(auto_error=False)


async def get_system(request: Request) -> System:
    system: System = request.app.state.system
    return system


SystemDep = Annotated[System, Depends(get_system)]


async def current_user(
    request: Request,
    system: SystemDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> UUID:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise AuthenticationFailed("Authentication credentials were not provided.")
    user = system.tokens.user_of_access(credentials.credentials)
    request.state.user_id = user  # for the access log
    return user


CurrentUser = Annotated[UUID, Depends(current_user)]


class NotYetVisible(ServiceUnavailable):
    """The read models did not reach the events stored before the request in time (a
    stalled database, or projections that stopped): answering from them would be stale."""

    def __init__(self, position: int, timeout_s: float) -> None:
        super().__init__(
            f"The read models did not show the latest changes within {timeout_s} s; "
            "they show them once they catch up.",
            {"position": [str(position)]},
        )
        self.retry_after = 2


def catch_up(system: System) -> None:
    """Read-your-writes: waits until the projections have passed every event stored so far
    (by any process), so that a read after any answered command sees its effect."""
    if not system.caught_up():
        raise NotYetVisible(system.store.head(), system.settings.read_your_writes_timeout_s)


def fresh_reads(system: System) -> LazyReads:
    """Read-model connections that catch up with the log before their first read."""
    return LazyReads(system.engine, lambda: catch_up(system))


class Commands:
    """Runs a command: it answers once its events are stored. The request's next read
    catches up with them first (see `aksio.api.reads`)."""

    def __init__(self, system: System, release: Callable[[], None] | None = None) -> None:
        self.system = system
        self.release = release

    def run(self, command: Command[R]) -> R:
        outcome = self.system.bus.dispatch(command)
        if outcome.position and self.release is not None:
            self.release()  # what the route reads next comes from a new, caught-up checkout
        return outcome.value


async def open_reads(system: SystemDep) -> AsyncIterator[LazyReads]:
    """One per request, shared by `Reads` and `Bus`; see `aksio.api.reads`."""
    reads = fresh_reads(system)
    try:
        yield reads
    finally:
        await reads.aclose()


RequestReads = Annotated[LazyReads, Depends(open_reads)]


async def get_commands(system: SystemDep, reads: RequestReads) -> Commands:
    return Commands(system, reads.release)


Bus = Annotated[Commands, Depends(get_commands)]


async def get_lone_commands(system: SystemDep) -> Commands:
    return Commands(system)


# For a route that reads no read model: no per-request read connection to set up at all.
LoneBus = Annotated[Commands, Depends(get_lone_commands)]


async def get_reads(reads: RequestReads) -> Connection:
    return cast(Connection, reads)


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
