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
from aksio.integrations.passwords import PasswordHasher
from aksio.projections.accounts import AccountsProjection, feedback, users
from tests.accounts.support import BASE, PASSWORD, bearer, register

THREADS = 4


class GatedHasher:
    """The real hasher, but each thread's first hash waits until every thread got there.

    Registration checks the login-name claims before hashing, so when the gate
    opens every thread has already seen the email as free: their saves collide.
    """

    def __init__(self, inner: PasswordHasher, parties: int) -> None:
        self.inner = inner
        self.gate = threading.Barrier(parties, timeout=30)
        self.passed = threading.local()
        self.calls = 0
        self.counting = threading.Lock()

    def hash(self, password: str) -> str:
        with self.counting:
            self.calls += 1
        if not getattr(self.passed, "gate", False):
            self.passed.gate = True
            self.gate.wait()
        return self.inner.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        return self.inner.verify(password_hash, password)

    def burn(self, password: str) -> None:
        self.inner.burn(password)


def race(system: System, email: str, *, gate: bool) -> tuple[list[Any], int]:
    """Registers `email` from several threads at once: each thread's outcome, and hash count.

    Without the gate the threads start together; with it, none may save before all
    have checked the claims, as happens between processes.
    """
    real = system.services.passwords
    assert real is not None
    gated = GatedHasher(real, THREADS if gate else 1)
    start = threading.Barrier(THREADS, timeout=30)
    outcomes: list[Any] = [None] * THREADS

    def attempt(index: int) -> None:
        start.wait()
        try:
            username = f"{email.split('@')[0]}-{index}"
            command = RegisterUser(email=email, password=PASSWORD, username=username)
            outcomes[index] = system.bus.dispatch(command).value
        except ValidationFailed as exc:
            outcomes[index] = exc

    system.services.passwords = gated
    try:
        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        system.services.passwords = real
    return outcomes, gated.calls


def one_winner(system: System, email: str, outcomes: list[Any]) -> None:
    winners = [o for o in outcomes if not isinstance(o, ValidationFailed)]
    losers = [o for o in outcomes if isinstance(o, ValidationFailed)]
    assert len(winners) == 1 and len(losers) == THREADS - 1
    assert all(list(loser.details) == ["email"] for loser in losers)
    claim: object = system.store.repository.get(login_name_id(email))
    assert isinstance(claim, LoginName) and claim.owner_id == winners[0].user["id"]


def count_users(system: System) -> int:
    system.drain()
    with system.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(users)).scalar_one())


def test_racing_registrations_of_one_email_make_one_user(system: System) -> None:
    outcomes, _ = race(system, "racer@example.com", gate=False)
    one_winner(system, "racer@example.com", outcomes)
    assert count_users(system) == 1


def test_registrations_that_all_passed_the_check_still_make_one_user(system: System) -> None:
    outcomes, hashes = race(system, "racer@example.com", gate=True)
    assert hashes == THREADS  # every thread saw the email free: the saves really collided
    one_winner(system, "racer@example.com", outcomes)
    assert count_users(system) == 1


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
