"""A refresh-token family: one login's chain of rotating refresh tokens.

Lifecycle: `Created` at login or registration with its first token id; each
refresh `Rotated` it to a new token id and a new expiry; `Revoked` (logout,
reuse of an already-rotated token, or a password change) ends it for good.
Only the current token id of a live family may be exchanged; presenting an
older one means the token leaked, so the whole family is revoked.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

REUSED = "reuse_detected"
LOGGED_OUT = "logged_out"
CREDENTIALS_CHANGED = "credentials_changed"


class RefreshSession(Aggregate):
    TOPIC = "aksio.refresh_session"

    class Created(Aggregate.Created):
        TOPIC = "aksio.refresh_session.created"
        owner_id: UUID
        token_id: UUID
        credentials_version: int
        expires_at: datetime

    class Rotated(Aggregate.Event):
        TOPIC = "aksio.refresh_session.rotated"
        token_id: UUID
        expires_at: datetime

    class Revoked(Aggregate.Event):
        TOPIC = "aksio.refresh_session.revoked"
        reason: str

    @event(Created)
    def __init__(
        self, owner_id: UUID, token_id: UUID, credentials_version: int, expires_at: datetime
    ) -> None:
        self.owner_id = owner_id
        self.token_id = token_id
        self.credentials_version = credentials_version
        self.expires_at = expires_at
        self.revoked_reason: str | None = None

    @classmethod
    def start(
        cls, owner_id: UUID, token_id: UUID, credentials_version: int, expires_at: datetime
    ) -> RefreshSession:
        return cls(
            owner_id=owner_id,
            token_id=token_id,
            credentials_version=credentials_version,
            expires_at=expires_at,
        )

    @property
    def revoked(self) -> bool:
        return self.revoked_reason is not None

    def rotate(
        self,
        presented: UUID,
        new_token_id: UUID,
        credentials_version: int,
        now: datetime,
        expires_at: datetime,
    ) -> str | None:
        """Moves the family to `new_token_id`; returns why it refused, or None.

        A refusal because of token reuse or a password change also revokes the family.
        """
        if self.revoked:
            return "revoked"
        if credentials_version != self.credentials_version:
            self._revoked(reason=CREDENTIALS_CHANGED)
            return CREDENTIALS_CHANGED
        if presented != self.token_id:
            self._revoked(reason=REUSED)
            return REUSED
        if now >= self.expires_at:
            return "expired"
        self._rotated(token_id=new_token_id, expires_at=expires_at)
        return None

    def revoke(self, reason: str) -> None:
        if not self.revoked:
            self._revoked(reason=reason)

    @event(Rotated)
    def _rotated(self, token_id: UUID, expires_at: datetime) -> None:
        self.token_id = token_id
        self.expires_at = expires_at

    @event(Revoked)
    def _revoked(self, reason: str) -> None:
        self.revoked_reason = reason
