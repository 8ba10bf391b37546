"""The adapters a handler may use, built once in `aksio.bootstrap`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aksio.core.clock import Clock, SystemClock


@dataclass
class Services:
    clock: Clock = field(default_factory=SystemClock)
    # Adapters of other contexts (hasher, mailer, tokens, ...) are attached by name.
    extra: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str) -> Any:
        return self.extra[name]
