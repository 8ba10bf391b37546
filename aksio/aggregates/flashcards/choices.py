"""Which scheduler a card's review uses (its course's choice, else its owner's profile, else
SM-2), and which FSRS parameters and retention (the course's, else the profile's)."""

from __future__ import annotations

from typing import Any

from aksio.aggregates.flashcards.fsrs_adapter import FsrsSettings
from aksio.aggregates.flashcards.schedule import SCHEDULERS


def choose_scheduler(*choices: object) -> str:
    """The first choice that names a scheduler (course before profile); SM-2 without one."""
    return next((str(c) for c in choices if c in SCHEDULERS), "sm2")


def choose_fsrs(course: dict[str, Any] | None, profile: dict[str, Any] | None) -> FsrsSettings:
    """The course's fitted parameters and retention where it has them, else the profile's."""
    rows = [row for row in (course, profile) if row]
    parameters = next((r["fsrs_parameters"] for r in rows if r.get("fsrs_parameters")), None)
    retention = next((r["desired_retention"] for r in rows if r.get("desired_retention")), None)
    return FsrsSettings.of(parameters, retention)
