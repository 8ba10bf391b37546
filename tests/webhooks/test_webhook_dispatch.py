"""The dispatcher against a real loopback receiver: signing, retries, disabling, recovery."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from aksio.bootstrap import System, build
from aksio.core.clock import FixedClock
from aksio.integrations.signing import standard_key, verify
from aksio.projections.engine.db import reactor_tracking
from aksio.projections.webhooks import deliveries
from aksio.reactors.webhook_dispatch import DispatcherRunner, Sender, WebhookDispatcher
from aksio.settings import Settings
from tests.webhooks.support import Probe, Receiver

Headers = dict[str, str]
SECRET = "whsec_" + "dGVzdC1zZWNyZXQtb2YtdGhlLWRpc3BhdGNoZXItc3VpdGU="  # 35 bytes


def register(client: TestClient, auth: Headers, url: str, events: list[str]) -> str:
    body = {"url": url, "events": events, "secret": SECRET}
    response = client.post("/api/v1/webhooks/register/", json=body, headers=auth)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def owner(system: System, auth: Headers) -> UUID:
    return system.tokens.user_of_access(auth["Authorization"].split()[1])


def review(system: System, user: UUID, quality: int = 4) -> Probe:
    probe = Probe(owner_id=user)
    probe.review(quality=quality)
    system.store.save(probe)
    return probe


def dispatcher(system: System) -> WebhookDispatcher:
    runner = next(r for r in system.reactors if isinstance(r, DispatcherRunner))
    return runner.reactor


def attempts(client: TestClient, auth: Headers, hook: str) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/webhooks/{hook}/deliveries/", headers=auth)
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    return results


def test_delivery_is_signed_and_listed(
    client: TestClient, auth: Headers, system: System, receiver: Receiver, clock: FixedClock
) -> None:
    hook = register(client, auth, receiver.url("/a"), ["flashcard.reviewed"])
    probe = review(system, owner(system, auth))
    system.drain()
    [got] = receiver.at("/a")
    body = json.loads(got.body)
    assert set(body) == {"id", "type", "timestamp", "data"}
    assert body["type"] == "flashcard.reviewed"
    named = {"aggregate_id": str(probe.id), "aggregate_type": "probe", "probe_id": str(probe.id)}
    assert body["data"] == {**named, "quality": 4}
    assert got.headers["webhook-timestamp"] == str(int(clock.now().timestamp()))
    assert verify(standard_key(SECRET), got.headers["webhook-id"],
                  int(got.headers["webhook-timestamp"]), got.body,
                  got.headers["webhook-signature"])  # fmt: skip
    [attempt] = attempts(client, auth, hook)
    assert attempt["status_code"] == 200 and attempt["outcome"] == "succeeded"
    assert attempt["webhook_id"] == got.headers["webhook-id"] and attempt["attempt"] == 1
    assert attempt["event_type"] == "flashcard.reviewed"


def test_only_subscribers_of_the_type_and_owner_get_it(
    client: TestClient, auth: Headers, make_user: Any, system: System, receiver: Receiver
) -> None:
    register(client, auth, receiver.url("/goals"), ["goal.completed"])
    other = make_user()
    register(client, other, receiver.url("/other"), ["flashcard.reviewed"])
    review(system, owner(system, auth))
    system.drain()
    assert receiver.requests == []


def test_failures_retry_on_schedule_with_the_same_id(
    client: TestClient, auth: Headers, system: System, receiver: Receiver, clock: FixedClock
) -> None:
    receiver.script["/r"] = [500, 503]
    hook = register(client, auth, receiver.url("/r"), ["flashcard.reviewed"])
    review(system, owner(system, auth))
    system.drain()
    clock.advance(seconds=4)
    system.drain()
    assert len(receiver.at("/r")) == 1
    clock.advance(seconds=1)
    system.drain()
    assert len(receiver.at("/r")) == 2
    clock.advance(seconds=30)
    system.drain()
    sent = receiver.at("/r")
    assert len(sent) == 3 and len({r.headers["webhook-id"] for r in sent}) == 1
    assert len({r.body for r in sent}) == 1
    listed = attempts(client, auth, hook)
    assert [(a["attempt"], a["status_code"], a["outcome"]) for a in listed] == [
        (3, 200, "succeeded"), (2, 503, "retrying"), (1, 500, "retrying")]  # fmt: skip
    assert client.get(f"/api/v1/webhooks/{hook}/", headers=auth).json()["status"] == "active"


def test_gone_receiver_disables_the_endpoint(
    client: TestClient, auth: Headers, system: System, receiver: Receiver, clock: FixedClock
) -> None:
    receiver.script["/gone"] = [410]
    hook = register(client, auth, receiver.url("/gone"), ["flashcard.reviewed"])
    user = owner(system, auth)
    review(system, user)
    system.drain()
    shown = client.get(f"/api/v1/webhooks/{hook}/", headers=auth).json()
    assert shown["status"] == "disabled" and "410" in shown["disabled_reason"]
    review(system, user)
    clock.advance(hours=2)
    system.drain()
    assert len(receiver.at("/gone")) == 1
    assert [a["outcome"] for a in attempts(client, auth, hook)] == ["failed"]


def test_a_whole_failed_schedule_disables_the_endpoint(
    client: TestClient, auth: Headers, system: System, receiver: Receiver, clock: FixedClock
) -> None:
    receiver.script["/down"] = [500, 500, 500]
    hook = register(client, auth, receiver.url("/down"), ["flashcard.reviewed"])
    review(system, owner(system, auth))
    for seconds in (0, 5, 30):
        clock.advance(seconds=seconds)
        system.drain()
    assert len(receiver.at("/down")) == 3
    shown = client.get(f"/api/v1/webhooks/{hook}/", headers=auth).json()
    assert shown["status"] == "disabled" and "retries" in shown["disabled_reason"]
    assert attempts(client, auth, hook)[0]["outcome"] == "failed"


def test_hanging_and_huge_receivers_do_not_hold_up_others(
    client: TestClient, auth: Headers, system: System, receiver: Receiver, clock: FixedClock
) -> None:
    dispatcher(system).sender = Sender(timeout=0.5, max_response_bytes=1024 * 1024)
    receiver.script["/hang"] = ["hang"]
    receiver.script["/huge"] = ["huge"]
    hooks = {p: register(client, auth, receiver.url(p), ["goal.completed"])
             for p in ("/hang", "/huge", "/fine")}  # fmt: skip
    probe = Probe(owner_id=owner(system, auth))
    probe.complete_goal()
    system.store.save(probe)
    system.drain()
    outcomes = {p: attempts(client, auth, h)[0] for p, h in hooks.items()}
    assert outcomes["/fine"]["outcome"] == "succeeded"
    assert outcomes["/hang"]["error"] == "timed out" and outcomes["/hang"]["status_code"] is None
    assert outcomes["/huge"]["error"] == "response too large"
    assert outcomes["/huge"]["outcome"] == outcomes["/hang"]["outcome"] == "retrying"
    clock.advance(seconds=5)
    system.drain()
    again = {p: attempts(client, auth, h)[0] for p, h in hooks.items()}
    assert again["/hang"]["outcome"] == again["/huge"]["outcome"] == "succeeded"
    assert len(receiver.at("/fine")) == 1


def test_restart_keeps_pending_retries_and_their_ids(
    settings: Settings,
    client: TestClient,
    auth: Headers,
    system: System,
    receiver: Receiver,
    clock: FixedClock,
) -> None:
    receiver.script["/crash"] = [500]
    register(client, auth, receiver.url("/crash"), ["flashcard.reviewed"])
    review(system, owner(system, auth))
    system.drain()
    system.close()
    # A crash before the dispatcher saved its position: it will see the events again.
    restarted = build(settings, clock=clock)
    try:
        with restarted.engine.begin() as conn:
            conn.execute(reactor_tracking.update().values(position=0))
        clock.advance(seconds=5)
        restarted.drain()
        with restarted.engine.connect() as conn:
            assert len(conn.execute(deliveries.select()).all()) == 1
    finally:
        restarted.close()
    sent = receiver.at("/crash")
    assert len(sent) == 2 and sent[0].headers["webhook-id"] == sent[1].headers["webhook-id"]


def test_rebuild_gives_the_same_answers(
    client: TestClient, auth: Headers, system: System, receiver: Receiver
) -> None:
    receiver.script["/rb"] = [500]
    hook = register(client, auth, receiver.url("/rb"), ["flashcard.reviewed"])
    register(client, auth, receiver.url("/rb2"), ["goal.completed"])
    review(system, owner(system, auth))
    system.drain()
    answers = [client.get(p, headers=auth).json() for p in
               ("/api/v1/webhooks/", f"/api/v1/webhooks/{hook}/deliveries/")]  # fmt: skip
    projection = next(p for p in system.projections if p.name == "webhooks")
    with system.engine.connect() as conn:
        before = [sorted(map(dict, conn.execute(t.select()).mappings()), key=str)
                  for t in projection.tables]  # fmt: skip
    system.runner.rebuild([projection])
    with system.engine.connect() as conn:
        after = [sorted(map(dict, conn.execute(t.select()).mappings()), key=str)
                 for t in projection.tables]  # fmt: skip
    assert after == before and all(before)
    assert [client.get(p, headers=auth).json() for p in
            ("/api/v1/webhooks/", f"/api/v1/webhooks/{hook}/deliveries/")] == answers  # fmt: skip
