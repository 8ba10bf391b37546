"""Password hashing: a port and its argon2id adapter (memory-hard, salted per hash)."""

from __future__ import annotations

from typing import Protocol

from argon2 import PasswordHasher as Argon2
from argon2.exceptions import InvalidHashError, VerificationError


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...

    def burn(self, password: str) -> None:
        """Spends as long as a failed `verify`, so unknown accounts do not answer faster."""
        ...


class Argon2PasswordHasher:
    def __init__(self, memory_kib: int, time_cost: int = 3, parallelism: int = 4) -> None:
        self._argon2 = Argon2(memory_cost=memory_kib, time_cost=time_cost, parallelism=parallelism)
        self._decoy: str | None = None

    def hash(self, password: str) -> str:
        return self._argon2.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._argon2.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def burn(self, password: str) -> None:
        if self._decoy is None:
            self._decoy = self.hash("decoy password that matches no account")
        self.verify(self._decoy, password)
