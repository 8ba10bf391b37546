"""Keeping FSRS parameters fitted to a learner's reviews, on their profile or one course.

The fit itself is CPU work done before dispatch (`aksio.integrations.fsrs_fit`): the bus
retries handlers on a conflict, and a retry must not fit again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from aksio.aggregates.accounts.user import User
from aksio.aggregates.courses.course import Course
from aksio.commands.bus import Command, Handler, UnitOfWork


@dataclass(frozen=True, kw_only=True)
class KeepFsrsParameters(Command[None]):
    owner_id: UUID
    parameters: tuple[float, ...]
    reviews_used: int
    course_id: UUID | None = None


def keep_fsrs_parameters(cmd: KeepFsrsParameters, uow: UnitOfWork) -> None:
    now = uow.services.clock.now()
    holder: User | Course
    if cmd.course_id is not None:
        holder = uow.load(Course, cmd.course_id, owner_id=cmd.owner_id)
    else:
        holder = uow.load(User, cmd.owner_id, owner_id=cmd.owner_id)
    holder.fit_fsrs(list(cmd.parameters), cmd.reviews_used, now)
    uow.save(holder)


HANDLERS: dict[type[Any], Handler] = {KeepFsrsParameters: keep_fsrs_parameters}
