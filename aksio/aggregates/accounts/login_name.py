"""A claim on a login name (an email address or a username) by one user.

Lifecycle: `Created` once and never changed. Its id is derived from the
normalised name, so two registrations racing for one name both try to create
the same aggregate: the event store lets exactly one of them write it.
Emails and usernames share one namespace, so a name used to log in always
points at exactly one account.
"""

from __future__ import annotations

from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

NAMESPACE = UUID("6f1c1d52-9a43-4d0b-9a55-2a2b6c8b9e10")


def normalize(name: str) -> str:
    return name.strip().casefold()


def login_name_id(name: str) -> UUID:
    return uuid5(NAMESPACE, "login:" + normalize(name))


class LoginName(Aggregate):
    TOPIC = "aksio.login_name"

    class Created(Aggregate.Created):
        TOPIC = "aksio.login_name.created"
        owner_id: UUID
        name: str

    @staticmethod
    def create_id(name: str) -> UUID:
        return login_name_id(name)

    @event(Created)
    def __init__(self, owner_id: UUID, name: str) -> None:
        self.owner_id = owner_id
        self.name = name

    @classmethod
    def claim(cls, owner_id: UUID, name: str) -> LoginName:
        return cls(owner_id=owner_id, name=normalize(name))
