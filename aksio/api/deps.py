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
    """The command is stored, but the read models did not show it in time (a stalled
    database): answering from them would be wrong (a new resource would be "not found")."""

    def __init__(self, position: int, timeout_s: float) -> None:
        super().__init__(
            f"The change was saved, but the read models did not show it within {timeout_s} s; "
            "it shows once they catch up. Repeating the request would repeat the change.",
            {"position": [str(position)]},
        )
        self.retry_after = 2


class Commands:
    """Runs a command and waits until the read models show its effect."""

    def __init__(self, system: System, release: Callable[[], None] | None = None) -> None:
        self.system = system
        self.release = release

    def run(self, command: Command[R]) -> R:
        outcome = self.system.bus.dispatch(command)
        if outcome.position:
            if self.release is not None:  # no pooled connection waits with the request
                self.release()
            if not self.system.wait_for(outcome.position):
                timeout_s = self.system.settings.read_your_writes_timeout_s
                raise NotYetVisible(outcome.position, timeout_s)
        return outcome.value


async def open_reads(system: SystemDep) -> AsyncIterator[LazyReads]:
    """One per request, shared by `Reads` and `Bus`; see `aksio.api.reads`."""
    reads = LazyReads(system.engine)
    try:
        yield reads
    finally:
        await reads.aclose()


RequestReads = Annotated[LazyReads, Depends(open_reads)]


async def get_commands(system: SystemDep, reads: RequestReads) -> Commands:
    return Commands(system, reads.release)


Bus = Annotated[Commands, Depends(get_commands)]


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
