"""The `KafkaRelay`: publishes every stored event to a Kafka topic, each exactly once.

Key = the aggregate id (so one aggregate's events share a partition and keep
their order), value = the public JSON form. The producer is idempotent with
`acks=all`, and the relay chooses each partition itself with Kafka's default
partitioner, so it knows where every position went. On start it reads the last
record of each partition: the highest position found there is the truth about
what was published (a local row is only a hint, trusted when the topic agrees).
It then rescans the log from the lowest of those positions and skips every event
whose partition already holds it, so neither a restart nor SIGKILL loses or
repeats one.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, cast

from eventsourcing.domain import DomainEvent
from eventsourcing.persistence import Notification
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import TopicAlreadyExistsError
from kafka.partitioner.default import murmur2
from sqlalchemy.engine import Engine

from aksio.core.public_events import to_public
from aksio.core.store import EventStore, open_store
from aksio.projections.engine.db import make_engine
from aksio.projections.engine.locks import Locks, make_locks
from aksio.reactors.runner import Reactor, ReactorRunner
from aksio.settings import Settings

logger = logging.getLogger(__name__)
Decoder = Callable[[Notification], DomainEvent]


def encode(public: dict[str, Any]) -> bytes:
    return json.dumps(public, separators=(",", ":")).encode()


def ensure_topic(servers: str, topic: str, partitions: int) -> None:
    admin = KafkaAdminClient(bootstrap_servers=servers, client_id="aksio-relay-admin")
    try:
        if topic not in admin.list_topics():
            admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)])
    except TopicAlreadyExistsError:
        pass
    finally:
        admin.close()


def last_positions(servers: str, topic: str, partitions: Sequence[int]) -> dict[int, int]:
    """The highest `position` held by each partition (0 for an empty one)."""
    consumer = KafkaConsumer(
        bootstrap_servers=servers, enable_auto_commit=False, group_id=None, client_id="aksio-relay"
    )
    try:
        assigned = [TopicPartition(topic, p) for p in partitions]
        consumer.assign(assigned)
        ends = consumer.end_offsets(assigned)
        found = {p: 0 for p in partitions}
        back = {tp: 1 for tp in assigned if ends[tp] > 0}
        while back:
            for tp, step in back.items():
                consumer.seek(tp, max(0, ends[tp] - step))
            seen = _read_to_end(consumer, set(back))
            for tp, position in seen.items():
                found[tp.partition] = max(found[tp.partition], position)
            # Some brokers report an end offset past the last record's: look further back.
            back = {
                tp: step * 16 for tp, step in back.items() if tp not in seen and ends[tp] - step > 0
            }
        return found
    finally:
        consumer.close()


def _read_to_end(consumer: KafkaConsumer, wanted: set[TopicPartition]) -> dict[TopicPartition, int]:
    consumer.resume(*wanted)
    others = [tp for tp in consumer.assignment() if tp not in wanted]
    consumer.pause(*others)
    seen: dict[TopicPartition, int] = {}
    while True:
        batch = consumer.poll(timeout_ms=700)
        if not batch:
            return seen
        for tp, records in batch.items():
            for record in records:
                position = _position_of(record.value)
                if position is not None:
                    seen[tp] = max(seen.get(tp, 0), position)


def _position_of(value: bytes | None) -> int | None:
    try:
        position = json.loads(value or b"{}").get("position")
    except (ValueError, AttributeError):
        return None
    return position if isinstance(position, int) else None


class KafkaRelay(Reactor):
    name = "kafka_relay"

    def __init__(
        self, servers: str, topic: str, *, partitions: int = 6, poll_interval: float = 0.05
    ) -> None:
        self.servers = servers
        self.topic = topic
        self.partitions = partitions
        self.poll_interval = poll_interval
        self.producer: KafkaProducer | None = None
        self.partition_ids: list[int] = []
        self.last: dict[int, int] = {}  # partition -> highest position it holds
        self.scan_from: int | None = None  # None: learn it from the topic first

    @classmethod
    def from_settings(cls, settings: Settings) -> KafkaRelay:
        assert settings.kafka_bootstrap_servers
        return cls(
            settings.kafka_bootstrap_servers,
            settings.kafka_topic,
            partitions=settings.kafka_partitions,
        )

    def make_runner(self, store: EventStore, engine: Engine, locks: Locks) -> ReactorRunner:
        return RelayRunner(self, store, engine, locks, poll_interval=self.poll_interval)

    @property
    def position(self) -> int:
        """Every event up to here is in the topic."""
        return self.scan_from or 0

    def recover(self, hint: int) -> None:
        """Learns from the topic where publishing stopped; `hint` is the local row."""
        self.close()
        ensure_topic(self.servers, self.topic, self.partitions)
        self.producer = KafkaProducer(
            bootstrap_servers=self.servers,
            acks="all",
            enable_idempotence=True,
            linger_ms=2,
            max_in_flight_requests_per_connection=5,
            client_id="aksio-relay",
        )
        self.partition_ids = sorted(self.producer.partitions_for(self.topic))
        self.last = last_positions(self.servers, self.topic, self.partition_ids)
        highest = max(self.last.values(), default=0)
        lowest = min(self.last.values(), default=0)
        trusted = hint if hint <= highest else 0  # a topic emptied since: republish
        self.scan_from = max(lowest, trusted)
        logger.info("kafka relay resumes after position %s (topic tails %s)", lowest, self.last)

    def partition_for(self, key: bytes) -> int:
        """Kafka's default choice for a key (murmur2, as the Java client), made here."""
        index = (int(murmur2(key)) & 0x7FFFFFFF) % len(self.partition_ids)
        return self.partition_ids[index]

    def publish(self, notifications: Sequence[Notification], decode: Decoder) -> int:
        """Sends the events no partition holds yet and waits for the broker's acks."""
        assert self.producer is not None
        sent: list[tuple[int, int, Any]] = []
        for notification in notifications:
            event = decode(notification)
            key = str(event.originator_id).encode()
            partition = self.partition_for(key)
            if notification.id <= self.last.get(partition, 0):
                continue
            value = encode(to_public(notification.id, event))
            future = self.producer.send(self.topic, key=key, value=value, partition=partition)
            sent.append((partition, notification.id, future))
        self.producer.flush()
        for partition, position, future in sent:
            future.get(timeout=30)
            self.last[partition] = max(self.last[partition], position)
        self.scan_from = notifications[-1].id if notifications else self.scan_from
        return len(sent)

    def close(self) -> None:
        if self.producer is not None:
            self.producer.close(timeout=5)
            self.producer = None
        self.scan_from = None


class RelayRunner(ReactorRunner):
    """Publishes the log in batches; any failure makes the relay relearn from the topic."""

    reactor: KafkaRelay

    def _handle(self, settle: bool) -> int:
        relay = self.reactor
        try:
            if relay.scan_from is None:
                relay.recover(hint=self._load_position())
            assert relay.scan_from is not None
            notifications = self.store.read(after=relay.scan_from, limit=self.batch_size)
            if not notifications:
                return 0
            relay.publish(notifications, self._decode)
        except Exception:
            relay.close()
            raise
        self._save_position(notifications[-1].id)
        return len(notifications)

    def _decode(self, notification: Notification) -> DomainEvent:
        return cast(DomainEvent, self.store.mapper.to_domain_event(notification))

    def stop(self) -> None:
        super().stop()
        with self._lock:
            self.reactor.close()


def tail(
    servers: str, topic: str, *, from_beginning: bool = True, idle_seconds: float | None = None
) -> Iterator[Any]:
    """Records of every partition of `topic`, oldest first per partition (no consumer group).

    With `idle_seconds` it stops once nothing new came for that long; else it follows.
    """
    consumer = KafkaConsumer(
        bootstrap_servers=servers,
        enable_auto_commit=False,
        group_id=None,
        client_id="aksio-tail",
        fetch_max_wait_ms=100,
    )
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        assigned = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(assigned)
        if from_beginning:
            consumer.seek_to_beginning(*assigned)
        else:
            consumer.seek_to_end(*assigned)
        quiet_since = time.monotonic()
        while idle_seconds is None or time.monotonic() - quiet_since < idle_seconds:
            batch = consumer.poll(timeout_ms=200)
            if batch:
                quiet_since = time.monotonic()
            for records in batch.values():
                yield from records
    finally:
        consumer.close()


def run_relay(settings: Settings, stop: threading.Event, every: float = 10.0) -> None:
    """`aksio relay`: publishes until `stop` is set, reporting its position now and then."""
    store = open_store(settings)
    engine = make_engine(settings)
    locks = make_locks(settings)
    relay = KafkaRelay.from_settings(settings)
    runner = relay.make_runner(store, engine, locks)
    runner.start()
    try:
        while not stop.wait(every):
            head = store.head()
            state = "active" if runner.owned else "standby (another relay holds the lock)"
            logger.info("relay %s: position %s, head %s", state, relay.position, head)
    finally:
        runner.stop()
        locks.release_all()
        store.close()
        engine.dispose()
