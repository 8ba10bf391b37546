"""Access tokens verified once are remembered only until they expire."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

import pytest

from aksio.core.errors import AuthenticationFailed
from aksio.integrations.tokens import TokenService

SECRET = "a-test-secret-that-is-long-enough-for-hs256-signing"


def test_a_remembered_token_is_refused_once_it_expires() -> None:
    tokens = TokenService(SECRET, access_minutes=2 / 60)  # two seconds
    user = uuid.uuid4()
    token = tokens.access(user, datetime.now(UTC))
    assert tokens.user_of_access(token) == user
    assert tokens.user_of_access(token) == user  # answered from what was verified
    time.sleep(3.1)
    with pytest.raises(AuthenticationFailed):
        tokens.user_of_access(token)


def test_a_token_signed_with_another_key_is_refused_after_a_valid_one() -> None:
    tokens, other = TokenService(SECRET), TokenService(SECRET[::-1])
    user = uuid.uuid4()
    assert tokens.user_of_access(tokens.access(user, datetime.now(UTC))) == user
    with pytest.raises(AuthenticationFailed):
        tokens.user_of_access(other.access(user, datetime.now(UTC)))
