"""Which scheduler a card gets (its course's choice, else its owner's profile, else SM-2), and
which FSRS parameters and retention a review uses (the course's, else the profile's)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy.engine import Connection

from aksio.aggregates.flashcards.fsrs_adapter import FsrsSettings
from aksio.aggregates.flashcards.schedule import SCHEDULERS
from aksio.core.errors import NotFound
from aksio.projections import accounts as account_queries
from aksio.projections import courses as course_queries
from aksio.projections.flashcards import queries as card_queries


def choose_scheduler(*choices: object) -> str:
    """The first choice that names a scheduler (course before profile); SM-2 without one."""
    return next((str(c) for c in choices if c in SCHEDULERS), "sm2")


def profile_scheduler(reads: Connection, user: UUID) -> str:
    """The scheduler chosen in the user's profile; SM-2 when none is chosen."""
    profile = account_queries.get_profile(reads, user)
    return choose_scheduler(profile.get("scheduler") if profile else None)


def scheduler_for(reads: Connection, user: UUID, course_id: UUID | None) -> str:
    """The course's scheduler when it names one, else the user's profile choice."""
    if course_id is not None:
        chosen = course_queries.course_scheduler(reads, course_id)
        if chosen in SCHEDULERS:
            return str(chosen)
    return profile_scheduler(reads, user)


def choose_fsrs(course: dict[str, Any] | None, profile: dict[str, Any] | None) -> FsrsSettings:
    """The course's fitted parameters and retention where it has them, else the profile's."""
    rows = [row for row in (course, profile) if row]
    parameters = next((r["fsrs_parameters"] for r in rows if r.get("fsrs_parameters")), None)
    retention = next((r["desired_retention"] for r in rows if r.get("desired_retention")), None)
    return FsrsSettings.of(parameters, retention)


def review_choices(reads: Connection, user: UUID, card_id: UUID) -> tuple[str, FsrsSettings]:
    """The scheduler and FSRS settings of a review of the card, read with it in one query."""
    found = card_queries.review_choices(reads, user, card_id)
    if found is None:
        raise NotFound("Flashcard")
    scheduler = choose_scheduler(found["course_scheduler"], found["profile_scheduler"])
    course = {"fsrs_parameters": found["course_parameters"]}
    course["desired_retention"] = found["course_retention"]
    profile = {"fsrs_parameters": found["profile_parameters"]}
    profile["desired_retention"] = found["profile_retention"]
    return scheduler, choose_fsrs(course, profile)
