"""The Kafka relay against a real broker: exactly once, in order per aggregate, across restarts."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa

from aksio.bootstrap import System, build, migrate
from aksio.commands.courses import CreateCourse, UpdateCourse
from aksio.core.clock import FixedClock
from aksio.core.public_events import to_public
from aksio.projections.engine.db import reactor_tracking
from aksio.settings import Settings
from tests.kafka.conftest import Broker

FIELDS = {
    "id",
    "position",
    "type",
    "aggregate_id",
    "aggregate_type",
    "version",
    "timestamp",
    "data",
}


def write(system: System, courses: int, updates: int) -> list[UUID]:
    owner = UUID(int=7)
    ids = [
        system.bus.dispatch(CreateCourse(owner_id=owner, fields={"name": f"C{n}"})).value
        for n in range(courses)
    ]
    for round_ in range(updates):
        for course_id in ids:
            changes = {"description": f"round {round_}"}
            system.bus.dispatch(UpdateCourse(owner_id=owner, course_id=course_id, changes=changes))
    return ids


def all_positions(system: System) -> list[int]:
    return [n.id for n in system.store.read(after=0, limit=1_000_000)]


def relay_row(system: System) -> int:
    with system.engine.connect() as conn:
        query = sa.select(reactor_tracking.c.position).where(
            reactor_tracking.c.name == "kafka_relay"
        )
        return int(conn.execute(query).scalar() or 0)


def assert_exactly_once_in_order(broker: Broker, topic: str, expected: list[int]) -> None:
    records = broker.records(topic)
    positions = sorted(json.loads(r.value)["position"] for r in records)
    assert positions == expected, f"{len(positions)} published for {len(expected)} stored"
    by_key: dict[bytes, list[tuple[int, int, dict[str, Any]]]] = defaultdict(list)
    partitions: dict[bytes, set[int]] = defaultdict(set)
    for record in records:
        value = json.loads(record.value)
        assert set(value) == FIELDS and record.key.decode() == value["aggregate_id"]
        by_key[record.key].append((record.partition, record.offset, value))
        partitions[record.key].add(record.partition)
    for key, seen in by_key.items():
        assert len(partitions[key]) == 1, "one aggregate, one partition"
        seen.sort(key=lambda item: item[1])
        versions = [value["version"] for _, _, value in seen]
        assert versions == sorted(versions) and len(set(versions)) == len(versions), key


def test_relay_publishes_each_event_once_in_public_form(
    kafka_settings: Settings, broker: Broker, topic: str, clock: FixedClock
) -> None:
    migrate(kafka_settings)
    system = build(kafka_settings, clock=clock, start_threads=False)
    try:
        ids = write(system, courses=6, updates=3)
        system.drain()
        expected = all_positions(system)
        assert_exactly_once_in_order(broker, topic, expected)
        first = system.store.read(after=0, limit=1)[0]
        event = system.store.mapper.to_domain_event(first)
        published = next(v for v in broker.values(topic) if v["position"] == first.id)
        assert published == to_public(first.id, event)  # type: ignore[arg-type]
        assert published["type"] == "course.created" and published["aggregate_id"] == str(ids[0])
        assert relay_row(system) == expected[-1]
    finally:
        system.close()


def test_restart_trusts_the_topic_over_the_local_row(
    kafka_settings: Settings, broker: Broker, topic: str, clock: FixedClock
) -> None:
    migrate(kafka_settings)
    system = build(kafka_settings, clock=clock, start_threads=False)
    write(system, courses=4, updates=2)
    system.drain()
    system.close()
    restarted = build(kafka_settings, clock=clock, start_threads=False)
    try:
        # As if killed after the broker acknowledged but before the row was saved.
        with restarted.engine.begin() as conn:
            conn.execute(reactor_tracking.update().values(position=0))
        write(restarted, courses=2, updates=1)
        restarted.drain()
        assert_exactly_once_in_order(broker, topic, all_positions(restarted))
    finally:
        restarted.close()


def test_an_emptied_topic_is_filled_again(
    kafka_settings: Settings, broker: Broker, topic: str, clock: FixedClock
) -> None:
    migrate(kafka_settings)
    system = build(kafka_settings, clock=clock, start_threads=False)
    write(system, courses=3, updates=1)
    system.drain()
    system.close()
    fresh = kafka_settings.model_copy(update={"kafka_topic": f"{topic}.fresh"})
    again = build(fresh, clock=clock, start_threads=False)
    try:
        again.drain()
        assert_exactly_once_in_order(broker, f"{topic}.fresh", all_positions(again))
    finally:
        again.close()


def start_relay(settings: Settings) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "AKSIO_DATABASE_URL": str(settings.database_url),
        "AKSIO_DATA_DIR": str(settings.data_dir),
        "AKSIO_SECRET_KEY": str(settings.secret_key),
        "AKSIO_KAFKA_BOOTSTRAP_SERVERS": str(settings.kafka_bootstrap_servers),
        "AKSIO_KAFKA_TOPIC": settings.kafka_topic,
    }
    command = [sys.executable, "-c", "import sys; from aksio.cli import main; sys.exit(main())"]
    return subprocess.Popen([*command, "relay"], env=env, stderr=subprocess.DEVNULL)


def wait_until(condition: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["postgres"])
def test_sigkill_mid_burst_loses_and_repeats_nothing(
    kafka_settings: Settings, broker: Broker, topic: str, clock: FixedClock
) -> None:
    migrate(kafka_settings)
    writer = build(kafka_settings, clock=clock, workers=False)
    relay = start_relay(kafka_settings)
    try:
        burst = threading.Thread(target=write, args=(writer, 40, 40))
        burst.start()
        wait_until(lambda: relay_row(writer) > 300)
        relay.send_signal(signal.SIGKILL)
        relay.wait(timeout=10)
        assert burst.is_alive(), "the kill should land in the middle of the burst"
        burst.join(timeout=300)
        relay = start_relay(kafka_settings)
        head = writer.store.head()
        wait_until(lambda: relay_row(writer) >= head, timeout=120)
        assert_exactly_once_in_order(broker, topic, all_positions(writer))
    finally:
        if relay.poll() is None:
            relay.terminate()
            relay.wait(timeout=20)
        writer.close()


def test_the_relay_creates_its_topic_with_the_configured_partitions(
    kafka_settings: Settings, broker: Broker, topic: str, clock: FixedClock
) -> None:
    settings = kafka_settings.model_copy(update={"kafka_partitions": 3})
    migrate(settings)
    system = build(settings, clock=clock, start_threads=False)
    try:
        write(system, courses=12, updates=1)
        system.drain()
        records = broker.records(topic)  # 12 random keys: all in one of 3 partitions is 3^-11
        assert {r.partition for r in records} <= {0, 1, 2}
        assert len({r.partition for r in records}) > 1
        assert_exactly_once_in_order(broker, topic, all_positions(system))
    finally:
        system.close()
