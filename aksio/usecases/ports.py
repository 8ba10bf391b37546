"""What use cases need from their caller besides read models and adapters."""

from __future__ import annotations

from typing import Protocol, TypeVar
from uuid import UUID

from aksio.commands.bus import Command

R = TypeVar("R")


class Runs(Protocol):
    """Runs a command and returns once the read models show it."""

    def run(self, command: Command[R]) -> R: ...


class Admits(Protocol):
    """Refuses an action over its rate limit (raises); the API's limiter is one."""

    def check(self, kind: str, user_id: UUID) -> None: ...
