"""With Redis, API processes share rate-limit counts (a limiter per process here)."""

from __future__ import annotations

from uuid import uuid4

import pytest

from aksio.integrations.ratelimit import RateLimited, RateLimiter

REDIS = "redis://127.0.0.1:6379/0"


def limiter() -> RateLimiter:
    return RateLimiter(user="4/minute", anon="4/minute", upload="2/hour", ai="3/hour",
                       redis_url=REDIS, user_of_token=lambda _token: uuid4())  # fmt: skip


def test_two_limiters_on_redis_share_one_count() -> None:
    first, second = limiter(), limiter()
    user = str(uuid4())
    seen = [first.hit("user", user).remaining, second.hit("user", user).remaining,
            first.hit("user", user).remaining, second.hit("user", user).remaining]  # fmt: skip
    assert seen == [3, 2, 1, 0]
    assert not first.hit("user", user).allowed
    assert first.hit("user", str(uuid4())).allowed


def test_per_action_limit_raises_with_retry_after() -> None:
    shared = limiter()
    user = uuid4()
    shared.check("upload", user)
    shared.check("upload", user)
    with pytest.raises(RateLimited) as raised:
        limiter().check("upload", user)
    assert raised.value.retry_after >= 1
