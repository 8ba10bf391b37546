"""Which scheduler a new card gets: its course's choice, else its owner's profile, else SM-2."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.engine import Connection

from aksio.aggregates.flashcards.schedule import SCHEDULERS
from aksio.projections import accounts as account_queries
from aksio.projections import courses as course_queries


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
