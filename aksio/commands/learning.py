"""Commands of the learning context."""

from __future__ import annotations

from typing import Any

from aksio.commands.bus import Handler

HANDLERS: dict[type[Any], Handler] = {}
