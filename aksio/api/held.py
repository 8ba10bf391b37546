"""Reads of an aggregate that a projection holds back after an error answer 503.

A quarantined aggregate's read model stops at the event that failed (see
`aksio.projections.engine.quarantine`), so its answer would be stale. A route that
names the aggregate in its path, or an account route of a user whose own
account aggregate is held back, gets 503 `SERVICE_UNAVAILABLE` naming the cause instead. While
nothing is quarantined this costs one check of an empty set per request.
"""

from __future__ import annotations

import contextlib
from uuid import UUID

from fastapi import Request

from aksio.bootstrap import System
from aksio.core.errors import AuthenticationFailed, ServiceUnavailable

RETRY_AFTER_S = 30
ACCOUNT_PATHS = "/api/v1/accounts/"  # where the user's own account aggregate is read


class HeldBack(ServiceUnavailable):
    def __init__(self, aggregate_id: UUID) -> None:
        super().__init__(
            "This resource's read model is held back after an error while projecting one "
            "of its changes; the change is stored and shows once operators retry it.",
            {"aggregate_id": [str(aggregate_id)]},
        )
        self.retry_after = RETRY_AFTER_S


def _named(request: Request, system: System) -> list[UUID]:
    named: list[UUID] = []
    for value in request.path_params.values():
        try:
            named.append(UUID(str(value)))
        except ValueError:
            continue
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if request.url.path.startswith(ACCOUNT_PATHS) and scheme.lower() == "bearer" and token:
        with contextlib.suppress(AuthenticationFailed):
            named.append(system.tokens.user_of_access(token))
    return named


async def refuse_held_back(request: Request) -> None:
    system: System = request.app.state.system
    held = system.held.ids
    if not held:
        return
    for aggregate_id in _named(request, system):
        if aggregate_id in held:
            raise HeldBack(aggregate_id)
