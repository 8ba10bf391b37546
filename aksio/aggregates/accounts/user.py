"""A user account: identity, password credentials and the learner's profile.

Lifecycle: `Created` at registration (its id is also its `owner_id`); the profile
changes by `ProfileUpdated`; `PasswordResetRequested` stores the hash of a
single-use reset token and its expiry; `PasswordReset` sets the new password
hash, clears the reset token and bumps `credentials_version`, which ends every
refresh-token family started under an older version.
"""

from __future__ import annotations

import copy
import hmac
from datetime import datetime
from functools import cache
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo, available_timezones

from eventsourcing.domain import Aggregate, event

from aksio.aggregates import values as v
from aksio.aggregates.flashcards import fsrs_adapter
from aksio.aggregates.flashcards.schedule import SCHEDULERS
from aksio.core.errors import ValidationFailed

PROFILE_RULES = {
    "first_name": v.text(max_length=150),
    "last_name": v.text(max_length=150),
    "bio": v.text(max_length=5000),
    "timezone": v.text(max_length=64),
    "language_preference": v.text(required=True, max_length=35),
    "learning_style": v.text(nullable=True, max_length=50),
    "study_goals": v.texts(),
    "scheduler": v.choice(*SCHEDULERS),
    "desired_retention": v.number(),
}
PROFILE_FIELDS = tuple(PROFILE_RULES)
PROFILE_DEFAULTS: dict[str, Any] = {
    "first_name": "",
    "last_name": "",
    "bio": "",
    "timezone": "UTC",
    "language_preference": "en",
    "learning_style": None,
    "study_goals": [],
    "scheduler": "sm2",
    "desired_retention": fsrs_adapter.DEFAULT_RETENTION,
}


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_timezone(name: str) -> bool:
    """True for IANA zone names this machine can load (`Europe/Oslo`, `UTC`)."""
    if name not in _known_zones():
        return False
    try:
        ZoneInfo(name)
    except (KeyError, ValueError, OSError):
        return False
    return True


MIN_PASSWORD = 8
MAX_PASSWORD = 256


def check_password(password: str, field_name: str = "password") -> None:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        problem = f"Must be between {MIN_PASSWORD} and {MAX_PASSWORD} characters long."
        raise ValidationFailed.field(field_name, problem)


def check_profile(changes: dict[str, Any]) -> None:
    v.check(changes, PROFILE_RULES)
    if "timezone" in changes and not is_timezone(changes["timezone"]):
        raise ValidationFailed.field("timezone", "Not a known IANA time zone name.")
    if "desired_retention" in changes:
        fsrs_adapter.check_retention("desired_retention", changes["desired_retention"])


class User(Aggregate):
    TOPIC = "aksio.user"

    class Created(Aggregate.Created):
        TOPIC = "aksio.user.created"
        owner_id: UUID
        email: str
        username: str
        password_hash: str
        profile: dict[str, Any]

    class ProfileUpdated(Aggregate.Event):
        TOPIC = "aksio.user.profile_updated"
        changes: dict[str, Any]

    class PasswordResetRequested(Aggregate.Event):
        TOPIC = "aksio.user.password_reset_requested"
        token_hash: str
        expires_at: datetime

    class PasswordReset(Aggregate.Event):
        TOPIC = "aksio.user.password_reset"
        password_hash: str

    class FsrsParametersFitted(Aggregate.Event):
        TOPIC = "aksio.user.fsrs_parameters_fitted"
        parameters: list[float]
        reviews_used: int
        fitted_at: datetime

    @staticmethod
    def create_id(owner_id: UUID) -> UUID:
        return owner_id

    @event(Created)
    def __init__(
        self,
        owner_id: UUID,
        email: str,
        username: str,
        password_hash: str,
        profile: dict[str, Any],
    ) -> None:
        self.owner_id = owner_id
        self.email = email
        self.username = username
        self.password_hash = password_hash
        self.profile = {**copy.deepcopy(PROFILE_DEFAULTS), **profile}
        self.credentials_version = 1
        self.reset_token_hash: str | None = None
        self.reset_expires_at: datetime | None = None
        self.fsrs_parameters: list[float] | None = None

    @classmethod
    def register(
        cls, user_id: UUID, email: str, username: str, password_hash: str, names: dict[str, str]
    ) -> User:
        check_profile(names)
        return cls(
            owner_id=user_id,
            email=email,
            username=username,
            password_hash=password_hash,
            profile=names,
        )

    def summary(self) -> dict[str, Any]:
        """The public identity shown beside a fresh token pair."""
        return {
            "id": self.id,
            "username": self.username,
            "email": self.email,
            "first_name": self.profile["first_name"],
            "last_name": self.profile["last_name"],
        }

    def update_profile(self, changes: dict[str, Any]) -> None:
        check_profile(changes)
        changed = {k: v for k, v in changes.items() if self.profile.get(k) != v}
        if changed:
            self._profile_updated(changes=changed)

    def request_password_reset(self, token_hash: str, expires_at: datetime) -> None:
        self._password_reset_requested(token_hash=token_hash, expires_at=expires_at)

    def check_reset_token(self, token_hash: str, now: datetime) -> None:
        """Raises unless `token_hash` is the live (unused, unexpired) reset token."""
        live = self.reset_token_hash is not None and self.reset_expires_at is not None
        if not live or not hmac.compare_digest(str(self.reset_token_hash), token_hash):
            raise ValidationFailed.field("token", "Invalid or expired token.")
        assert self.reset_expires_at is not None
        if now >= self.reset_expires_at:
            raise ValidationFailed.field("token", "Invalid or expired token.")

    def reset_password(self, token_hash: str, password_hash: str, now: datetime) -> None:
        self.check_reset_token(token_hash, now)
        self._password_reset(password_hash=password_hash)

    def fit_fsrs(self, parameters: list[float], reviews_used: int, now: datetime) -> None:
        """Keeps FSRS parameters fitted to the user's reviews for their FSRS cards."""
        checked = fsrs_adapter.check_parameters(parameters)
        self._fsrs_parameters_fitted(
            parameters=list(checked), reviews_used=reviews_used, fitted_at=now
        )

    @event(ProfileUpdated)
    def _profile_updated(self, changes: dict[str, Any]) -> None:
        self.profile.update(changes)

    @event(PasswordResetRequested)
    def _password_reset_requested(self, token_hash: str, expires_at: datetime) -> None:
        self.reset_token_hash = token_hash
        self.reset_expires_at = expires_at

    @event(PasswordReset)
    def _password_reset(self, password_hash: str) -> None:
        self.password_hash = password_hash
        self.credentials_version += 1
        self.reset_token_hash = None
        self.reset_expires_at = None

    @event(FsrsParametersFitted)
    def _fsrs_parameters_fitted(
        self, parameters: list[float], reviews_used: int, fitted_at: datetime
    ) -> None:
        self.fsrs_parameters = list(parameters)
