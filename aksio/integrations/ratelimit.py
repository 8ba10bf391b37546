"""Rate limits with the `limits` library: in memory for one process, Redis for several."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from limits import parse
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import SlidingWindowCounterRateLimiter

from aksio.core.errors import AuthenticationFailed, DomainError


class RateLimited(DomainError):
    error_code = "RATE_LIMIT_EXCEEDED"

    def __init__(self, retry_after: int) -> None:
        super().__init__("Rate limit exceeded.", {"retry_after": [str(retry_after)]})
        self.retry_after = retry_after


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset: int

    def tighter(self, other: Decision) -> Decision:
        """The one to report when two limits apply: the refusing one, else the one nearer."""
        if self.allowed != other.allowed:
            return other if self.allowed else self
        return other if other.remaining < self.remaining else self

    @property
    def retry_after(self) -> int:
        return max(1, self.reset)

    def headers(self) -> list[tuple[bytes, bytes]]:
        return [
            (b"ratelimit-limit", str(self.limit).encode()),
            (b"ratelimit-remaining", str(self.remaining).encode()),
            (b"ratelimit-reset", str(self.reset).encode()),
        ]


class RateLimiter:
    def __init__(
        self,
        *,
        user: str,
        anon: str,
        upload: str,
        ai: str,
        redis_url: str | None,
        user_of_token: Callable[[str], UUID],
    ) -> None:
        storage: Storage = RedisStorage(redis_url) if redis_url else MemoryStorage()
        # A sliding window (two weighted fixed windows): no double burst at a window edge.
        self.strategy = SlidingWindowCounterRateLimiter(storage)
        self.items = {"user": parse(user), "anon": parse(anon), "upload": parse(upload),
                      "ai": parse(ai)}  # fmt: skip
        self.user_of_token = user_of_token

    def hit(self, kind: str, key: str) -> Decision:
        item = self.items[kind]
        allowed = self.strategy.hit(item, kind, key)
        stats = self.strategy.get_window_stats(item, kind, key)
        reset = max(0, math.ceil(stats.reset_time - time.time()))
        return Decision(allowed, item.amount, max(0, stats.remaining), reset)

    def user_of(self, headers: dict[bytes, bytes]) -> str | None:
        """The user id a valid bearer token names, else None."""
        auth = headers.get(b"authorization", b"").decode("latin-1")
        if auth.lower().startswith("bearer "):
            try:
                return str(self.user_of_token(auth[7:].strip()))
            except AuthenticationFailed:
                pass
        return None

    def hit_request(self, scope: MutableMapping[str, Any], user: str | None) -> Decision:
        if user is not None:
            return self.hit("user", user)
        client = scope.get("client") or ("unknown", 0)
        return self.hit("anon", str(client[0]))

    def check(self, kind: str, user_id: UUID) -> None:
        """For per-action limits (uploads, AI): raises when the user is over."""
        decision = self.hit(kind, str(user_id))
        if not decision.allowed:
            raise RateLimited(decision.retry_after)
