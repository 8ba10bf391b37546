"""Subscription, upgrade, usage and quota checks over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from aksio.bootstrap import System
from aksio.commands.billing import RecordTokenUsage
from aksio.core.clock import FixedClock
from aksio.core.errors import QuotaExceeded
from aksio.projections import billing as q
from tests.conftest import assert_envelope

Headers = dict[str, str]
SUB = "/api/v1/billing/subscription/"
UPGRADE = "/api/v1/billing/subscription/upgrade/"
USAGE = "/api/v1/billing/usage/"


def user_of(system: System, auth: Headers) -> UUID:
    return system.tokens.user_of_access(auth["Authorization"].split()[1])


def upgrade(client: TestClient, auth: Headers, **body: Any) -> Any:
    return client.post(UPGRADE, json={"plan_id": "premium_monthly", **body}, headers=auth)


def test_everyone_starts_on_free(client: TestClient, auth: Headers) -> None:
    body = client.get(SUB, headers=auth).json()
    assert body["plan_id"] == "free" and body["status"] == "active"
    assert body["limits"] == {"ai_tokens": 50_000, "documents": 100, "storage_mb": 1_000}
    assert body["created_at"] is None and body["last_payment_reference"] is None


def test_upgrade_charges_and_changes_the_plan(client: TestClient, auth: Headers) -> None:
    response = upgrade(client, auth, payment_method_token="pm_card_visa")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["plan_id"] == "premium_monthly" and body["limits"]["ai_tokens"] == 1_000_000
    assert body["last_payment_reference"].startswith("ch_sandbox_")
    assert client.get(SUB, headers=auth).json()["plan_id"] == "premium_monthly"
    again = upgrade(client, auth, payment_method_token="pm_card_visa").json()
    assert again["last_payment_reference"] == body["last_payment_reference"]  # no second charge
    down = client.post(UPGRADE, json={"plan_id": "free"}, headers=auth).json()
    assert down["plan_id"] == "free" and down["limits"]["documents"] == 100


def test_declined_card_is_402_and_keeps_the_plan(client: TestClient, auth: Headers) -> None:
    response = upgrade(client, auth, payment_method_token="pm_card_chargeDeclined")
    assert_envelope(response, 402, "PAYMENT_FAILED")
    assert client.get(SUB, headers=auth).json()["plan_id"] == "free"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"plan_id": "gold", "payment_method_token": "pm_card_visa"}, 422),
        ({"plan_id": "premium_monthly"}, 422),
        ({"plan_id": "premium_monthly", "payment_method_token": "card 4242"}, 422),
        ({"plan_id": "premium_monthly", "payment_method_token": 42}, 400),
        ({"plan_id": "premium_monthly", "payment_method_token": "pm_x", "coupon": "x"}, 422),
    ],
)
def test_bad_upgrade_bodies(client: TestClient, auth: Headers, body: Any, status: int) -> None:
    assert_envelope(client.post(UPGRADE, json=body, headers=auth), status, "VALIDATION_ERROR")


def test_billing_needs_authentication(client: TestClient) -> None:
    for path in (SUB, USAGE):
        assert_envelope(client.get(path), 401, "AUTHENTICATION_FAILED")


def test_usage_counts_tokens_of_the_current_month(
    client: TestClient, auth: Headers, system: System, clock: FixedClock
) -> None:
    clock.at = datetime(2024, 1, 20, 10, 0, tzinfo=UTC)
    owner = user_of(system, auth)
    system.bus.dispatch(RecordTokenUsage(owner_id=owner, tokens=15_000))
    system.bus.dispatch(RecordTokenUsage(owner_id=owner, tokens=1_000, source="chat"))
    system.drain()
    body = client.get(USAGE, headers=auth).json()
    period = body["current_period"]
    assert (period["start_date"], period["end_date"]) == ("2024-01-01", "2024-01-31")
    assert period["ai_tokens_used"] == 16_000 and period["ai_tokens_limit"] == 50_000
    assert body["usage_percentage"]["ai_tokens"] == 32.0
    assert period["documents_limit"] == 100 and period["storage_limit_mb"] == 1_000
    clock.at = datetime(2024, 2, 1, 0, 0, tzinfo=UTC)
    february = client.get(USAGE, headers=auth).json()["current_period"]
    assert february["ai_tokens_used"] == 0 and february["start_date"] == "2024-02-01"
    assert february["end_date"] == "2024-02-29"


def test_quota_check_refuses_work_past_the_plan_limit(
    client: TestClient, auth: Headers, system: System, clock: FixedClock
) -> None:
    owner = user_of(system, auth)
    system.bus.dispatch(RecordTokenUsage(owner_id=owner, tokens=49_990))
    system.drain()
    with system.engine.connect() as conn:
        q.check_quota(conn, owner, "ai_tokens", 10, clock.now())
        with pytest.raises(QuotaExceeded) as refused:
            q.check_quota(conn, owner, "ai_tokens", 11, clock.now())
        q.check_quota(conn, owner, "documents", 1, clock.now())
    assert refused.value.error_code == "QUOTA_EXCEEDED" and "ai_tokens" in refused.value.details
    upgrade(client, auth, payment_method_token="pm_card_visa")
    assert system.caught_up()
    with system.engine.connect() as conn:
        q.check_quota(conn, owner, "ai_tokens", 500_000, clock.now())


def test_rebuild_gives_the_same_answers(
    client: TestClient, auth: Headers, system: System, make_user: Any
) -> None:
    other = make_user()
    upgrade(client, auth, payment_method_token="pm_card_visa")
    system.bus.dispatch(RecordTokenUsage(owner_id=user_of(system, other), tokens=777))
    system.drain()
    answers = [client.get(p, headers=h).json() for p in (SUB, USAGE) for h in (auth, other)]
    projection = next(p for p in system.projections if p.name == "billing")
    with system.engine.connect() as conn:
        before = [sorted(map(dict, conn.execute(t.select()).mappings()), key=str)
                  for t in projection.tables]  # fmt: skip
    system.runner.rebuild([projection])
    with system.engine.connect() as conn:
        after = [sorted(map(dict, conn.execute(t.select()).mappings()), key=str)
                 for t in projection.tables]  # fmt: skip
    assert after == before and len(before[0]) == 1 and len(before[1]) == 1
    assert [client.get(p, headers=h).json() for p in (SUB, USAGE) for h in (auth, other)] == answers
