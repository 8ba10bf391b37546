"""JWT access and refresh tokens (HS256, pyjwt)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import jwt

from aksio.core.errors import AuthenticationFailed

VERIFIED_CACHE_SIZE = 10_000


@dataclass(frozen=True)
class RefreshClaims:
    user_id: UUID
    family_id: UUID
    token_id: UUID


class TokenService:
    def __init__(self, secret: str, access_minutes: int = 15, refresh_days: int = 7) -> None:
        self.secret = secret
        self.access_ttl = timedelta(minutes=access_minutes)
        self.refresh_ttl = timedelta(days=refresh_days)
        # Access tokens already verified, with their expiry: the rate limiter and the route
        # both ask for the user, and a client sends the same token until it expires.
        self._verified: dict[str, tuple[UUID, float]] = {}

    def _encode(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.secret, algorithm="HS256")

    def _decode(self, token: str, kind: str) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token, self.secret, algorithms=["HS256"], options={"require": ["exp", "sub"]}
            )
        except jwt.PyJWTError:
            raise AuthenticationFailed("Token is invalid or expired.") from None
        if claims.get("type") != kind:
            raise AuthenticationFailed("Token is invalid or expired.")
        return claims

    def access(self, user_id: UUID, now: datetime) -> str:
        return self._encode(
            {"sub": str(user_id), "type": "access", "iat": now, "exp": now + self.access_ttl}
        )

    def refresh(self, claims: RefreshClaims, now: datetime) -> str:
        return self._encode(
            {
                "sub": str(claims.user_id),
                "type": "refresh",
                "fam": str(claims.family_id),
                "jti": str(claims.token_id),
                "iat": now,
                "exp": now + self.refresh_ttl,
            }
        )

    def user_of_access(self, token: str) -> UUID:
        known = self._verified.get(token)
        if known is not None and time.time() < known[1]:
            return known[0]
        claims = self._decode(token, "access")
        try:
            user = UUID(claims["sub"])
        except (ValueError, TypeError):
            raise AuthenticationFailed("Token is invalid or expired.") from None
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            self._verified.clear()  # simpler than LRU; refilled at one decode per client
        if isinstance(claims.get("exp"), int | float):
            self._verified[token] = (user, float(claims["exp"]))
        return user

    def read_refresh(self, token: str) -> RefreshClaims:
        claims = self._decode(token, "refresh")
        try:
            return RefreshClaims(UUID(claims["sub"]), UUID(claims["fam"]), UUID(claims["jti"]))
        except (KeyError, ValueError, TypeError):
            raise AuthenticationFailed("Token is invalid or expired.") from None
