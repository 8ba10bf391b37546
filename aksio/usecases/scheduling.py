"""Which scheduler a new card gets (its course's choice, else its owner's profile, else SM-2);
a review's choice is its handler's (see `aksio.aggregates.flashcards.choices`)."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.engine import Connection

from aksio.aggregates.flashcards.choices import choose_scheduler
from aksio.aggregates.flashcards.schedule import SCHEDULERS
from aksio.projections import accounts as account_queries
from aksio.projections import courses as course_queries


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
