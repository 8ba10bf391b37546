"""Racing registrations end with one account; a rebuilt read model answers as before."""

from __future__ import annotations

import threading
from typing import Any
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa
from eventsourcing.persistence import IntegrityError
from fastapi.testclient import TestClient

from aksio.aggregates.accounts.login_name import LoginName, login_name_id
from aksio.aggregates.accounts.user import User
from aksio.bootstrap import System
from aksio.commands.accounts import RegisterUser
from aksio.core.errors import ValidationFailed
from aksio.projections.accounts import AccountsProjection, feedback, users
from tests.accounts.support import BASE, PASSWORD, bearer, register

THREADS = 4


def race(system: System, email: str) -> list[Any]:
    """Registers `email` from several threads at once; returns each thread's outcome."""
    start = threading.Barrier(THREADS)
    outcomes: list[Any] = [None] * THREADS

    def attempt(index: int) -> None:
        start.wait()
        try:
            username = f"{email.split('@')[0]}-{index}"
            command = RegisterUser(email=email, password=PASSWORD, username=username)
            outcomes[index] = system.bus.dispatch(command).value
        except ValidationFailed as exc:
            outcomes[index] = exc

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_racing_registrations_of_one_email_make_one_user(system: System) -> None:
    for round_ in range(3):
        email = f"racer{round_}@example.com"
        outcomes = race(system, email)
        winners = [o for o in outcomes if not isinstance(o, ValidationFailed)]
        losers = [o for o in outcomes if isinstance(o, ValidationFailed)]
        assert len(winners) == 1 and len(losers) == THREADS - 1
        assert all("email" in loser.details for loser in losers)
        claim: object = system.store.repository.get(login_name_id(email))
        assert isinstance(claim, LoginName) and claim.owner_id == winners[0].user["id"]
    system.drain()
    with system.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(users)).scalar_one() == 3


def test_a_conflicting_claim_stores_nothing_of_the_loser(system: System) -> None:
    def aggregates(username: str) -> tuple[User, LoginName]:
        user_id = uuid4()
        user = User.register(user_id, "same@example.com", username, "hash", {})
        return user, LoginName.claim(user_id, "same@example.com")

    first, second = aggregates("first"), aggregates("second")
    system.store.save(*first)
    with pytest.raises(IntegrityError):
        system.store.save(*second)
    with pytest.raises(Exception, match="not found"):
        system.store.repository.get(second[0].id)


def rows(system: System) -> dict[str, list[dict[str, Any]]]:
    with system.engine.connect() as conn:
        return {
            table.name: [
                dict(r) for r in conn.execute(sa.select(table).order_by(table.c.id)).mappings()
            ]
            for table in (users, feedback)
        }


def test_rebuild_gives_the_same_read_model(client: TestClient, system: System) -> None:
    sessions = [register(client, f"user{n}@example.com", first_name=f"N{n}") for n in range(3)]
    for n, session in enumerate(sessions):
        changes = {"bio": f"bio {n}", "timezone": "Europe/Oslo", "study_goals": [f"goal{n}"]}
        client.patch(f"{BASE}/profile/", json=changes, headers=bearer(session))
        client.post(f"{BASE}/feedback/", json={"message": f"msg {n}"}, headers=bearer(session))
    client.patch(f"{BASE}/profile/", json={"scheduler": "fsrs"}, headers=bearer(sessions[0]))
    system.drain()
    before = rows(system)
    assert len(before["rm_users"]) == 3 and len(before["rm_feedback"]) == 3
    (projection,) = [p for p in system.projections if isinstance(p, AccountsProjection)]
    system.runner.rebuild([projection])
    assert rows(system) == before
    profile = client.get(f"{BASE}/profile/", headers=bearer(sessions[0])).json()
    assert profile["scheduler"] == "fsrs" and UUID(profile["id"])
