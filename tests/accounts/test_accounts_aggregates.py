"""Accounts aggregates, given/when/then, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from aksio.aggregates.accounts.feedback import Feedback
from aksio.aggregates.accounts.login_name import LoginName, login_name_id
from aksio.aggregates.accounts.refresh_session import (
    CREDENTIALS_CHANGED,
    REUSED,
    RefreshSession,
)
from aksio.aggregates.accounts.user import User, check_password, is_timezone
from aksio.core.errors import ValidationFailed

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def a_user() -> User:
    return User.register(uuid4(), "ada@example.com", "ada", "hash-1", {"first_name": "Ada"})


def replay(user: User) -> User:
    """The same user rebuilt from its events, as the store would load it."""
    events = user.collect_events()
    rebuilt = None
    for e in events:
        rebuilt = e.mutate(rebuilt)
    assert isinstance(rebuilt, User)
    return rebuilt


def test_a_user_owns_itself_and_starts_with_default_profile() -> None:
    user = a_user()
    assert user.id == user.owner_id
    assert user.profile["first_name"] == "Ada" and user.profile["timezone"] == "UTC"
    assert user.profile["scheduler"] == "sm2" and user.credentials_version == 1


def test_profile_update_records_only_real_changes() -> None:
    user = a_user()
    user.collect_events()
    user.update_profile({"timezone": "Europe/Oslo", "first_name": "Ada"})
    (changed,) = user.collect_events()
    assert isinstance(changed, User.ProfileUpdated)
    assert changed.changes == {"timezone": "Europe/Oslo"}
    user.update_profile({"timezone": "Europe/Oslo"})
    assert user.collect_events() == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"timezone": "../etc/passwd"}, "timezone"),
        ({"scheduler": "leitner"}, "scheduler"),
        ({"password_hash": "x"}, "password_hash"),
    ],
)
def test_profile_update_refuses_bad_values(changes: dict[str, str], field: str) -> None:
    user = a_user()
    with pytest.raises(ValidationFailed) as caught:
        user.update_profile(changes)
    assert field in caught.value.details


def test_timezone_names_are_iana() -> None:
    assert is_timezone("America/New_York") and is_timezone("UTC")
    assert not is_timezone("America") and not is_timezone("") and not is_timezone("EST5EDT ")


def test_password_length_rule() -> None:
    check_password("12345678")
    with pytest.raises(ValidationFailed):
        check_password("1234567")


def test_reset_token_works_once_before_expiry_and_bumps_credentials() -> None:
    user = a_user()
    user.request_password_reset("digest", NOW + timedelta(hours=1))
    user.reset_password("digest", "hash-2", NOW + timedelta(minutes=59))
    assert user.password_hash == "hash-2" and user.credentials_version == 2
    with pytest.raises(ValidationFailed):
        user.reset_password("digest", "hash-3", NOW + timedelta(minutes=59))
    rebuilt = replay(user)
    assert rebuilt.password_hash == "hash-2" and rebuilt.credentials_version == 2


def test_reset_token_refused_when_expired_or_wrong() -> None:
    user = a_user()
    user.request_password_reset("digest", NOW + timedelta(hours=1))
    with pytest.raises(ValidationFailed):
        user.reset_password("digest", "hash-2", NOW + timedelta(hours=1))
    with pytest.raises(ValidationFailed):
        user.reset_password("other", "hash-2", NOW)
    assert user.credentials_version == 1


def test_login_name_id_ignores_case_and_spaces() -> None:
    owner = uuid4()
    claim = LoginName.claim(owner, " Ada@Example.COM ")
    assert claim.id == login_name_id("ada@example.com") and claim.owner_id == owner
    assert login_name_id("ada") != login_name_id("ada@example.com")


def a_family(version: int = 1) -> RefreshSession:
    return RefreshSession.start(uuid4(), uuid4(), version, NOW + timedelta(days=7))


def test_family_rotates_to_the_new_token() -> None:
    family = a_family()
    first, second = family.token_id, uuid4()
    assert family.rotate(first, second, 1, NOW, NOW + timedelta(days=8)) is None
    assert family.token_id == second and family.expires_at == NOW + timedelta(days=8)


def test_presenting_a_rotated_token_revokes_the_family() -> None:
    family = a_family()
    first, second = family.token_id, uuid4()
    family.rotate(first, second, 1, NOW, NOW + timedelta(days=7))
    assert family.rotate(first, uuid4(), 1, NOW, NOW + timedelta(days=7)) == REUSED
    assert family.revoked and family.revoked_reason == REUSED
    assert family.rotate(second, uuid4(), 1, NOW, NOW + timedelta(days=7)) == "revoked"


def test_family_refuses_when_expired_or_password_changed() -> None:
    family = a_family()
    assert family.rotate(family.token_id, uuid4(), 1, NOW + timedelta(days=7), NOW) == "expired"
    assert not family.revoked
    assert family.rotate(family.token_id, uuid4(), 2, NOW, NOW) == CREDENTIALS_CHANGED
    assert family.revoked


def test_feedback_needs_a_message_and_a_full_screenshot_description() -> None:
    owner = uuid4()
    shot = {"path": "feedback/ab", "size": 3, "content_type": "image/png", "sha256": "ab"}
    feedback = Feedback.submit(owner, "bug_report", "Crash", "It crashed", shot)
    assert feedback.owner_id == owner and feedback.screenshot == shot
    with pytest.raises(ValidationFailed):
        Feedback.submit(owner, "bug_report", "", "   ")
    with pytest.raises(ValidationFailed):
        Feedback.submit(owner, "bug_report", "", "x", {"path": "feedback/ab"})


def test_feedback_refuses_what_its_columns_cannot_hold() -> None:
    owner = uuid4()
    for kind, subject, message, field in [
        ("", "s", "m", "feedback_type"),
        ("x" * 51, "s", "m", "feedback_type"),
        ("general", "s" * 201, "m", "subject"),
        ("general", "s", "m" * 10_001, "message"),
        ("general", "s", "nul\x00", "message"),
        ("general", None, "m", "subject"),
    ]:
        with pytest.raises(ValidationFailed) as raised:
            Feedback.submit(owner, kind, subject, message)  # type: ignore[arg-type]
        assert set(raised.value.details) == {field}
