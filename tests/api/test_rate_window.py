"""The rate limiter's window: a burst at the edge of one window does not double the limit."""

from __future__ import annotations

from types import SimpleNamespace
from uuid import uuid4

import pytest
from limits import strategies
from limits.storage import memory

from aksio.integrations import ratelimit
from aksio.integrations.ratelimit import RateLimiter


def test_a_burst_across_a_window_edge_stays_within_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [6000.0]  # a multiple of 60: the start of a one-minute window
    fake = SimpleNamespace(time=lambda: now[0])
    for module in (memory, strategies, ratelimit):
        monkeypatch.setattr(module, "time", fake)
    limiter = RateLimiter(user="10/minute", anon="10/minute", upload="1/hour", ai="1/hour",
                          redis_url=None, user_of_token=lambda _token: uuid4())  # fmt: skip
    key = str(uuid4())

    assert limiter.hit("user", key).allowed
    now[0] = 6059.9
    assert all(limiter.hit("user", key).allowed for _ in range(9))
    # A fixed window starting at the first hit would allow ten more here, 0.2 s later; the
    # sliding window still counts the previous minute's hits (weighted 59.9/60 of 10).
    now[0] = 6060.1
    burst = [limiter.hit("user", key) for _ in range(10)]
    assert [d.allowed for d in burst] == [True] + [False] * 9
    assert burst[-1].remaining == 0 and burst[-1].retry_after >= 1
    # A whole window later the earlier hits no longer count.
    now[0] = 6120.0 + 60.0
    assert limiter.hit("user", key).allowed
