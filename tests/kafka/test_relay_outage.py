"""The Kafka relay in `aksio worker` through a PostgreSQL outage: it carries on by itself and
every stored event reaches the topic once."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from uuid import uuid4

import pytest

from aksio.bootstrap import build, migrate
from aksio.commands.courses import CreateCourse
from tests.conftest import make_settings
from tests.kafka.conftest import Broker
from tests.test_outage import OUTAGE_S, eventually, set_outage
from tests.test_serve_e2e import server_env

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def test_the_relay_carries_on_after_an_outage(
    pg_url: str, tmp_path: Path, broker: Broker, topic: str
) -> None:
    settings = make_settings(tmp_path, pg_url)
    migrate(settings)
    env = server_env(settings.data_dir, pg_url)
    env |= {"AKSIO_KAFKA_BOOTSTRAP_SERVERS": broker.servers, "AKSIO_KAFKA_TOPIC": topic}
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "aksio.cli", "worker"], env=env, stdout=out, stderr=out
        )
    client = build(settings, workers=False)
    try:
        eventually(lambda: b"worker running" in log.read_bytes(), "the worker to start")

        def store(count: int) -> bool:
            for _ in range(count):
                client.bus.dispatch(CreateCourse(owner_id=uuid4(), fields={"name": "c"}))
            return True

        store(5)
        set_outage(pg_url, down=True)
        try:
            time.sleep(OUTAGE_S)  # the relay's reads fail and back off meanwhile
        finally:
            set_outage(pg_url, down=False)

        def stored_after_the_outage() -> bool:
            try:
                return store(5)
            except Exception:  # the client's own pooled connections died with the outage
                return False

        eventually(stored_after_the_outage, "commands to be stored again")
        stored = [n.id for n in client.store.read(after=0, limit=10_000)]

        def relayed() -> bool:
            return sorted(v["position"] for v in broker.values(topic)) == stored

        eventually(relayed, "every stored event in the topic, once")
        assert worker.poll() is None
    finally:
        client.close()
        worker.terminate()
        worker.wait(timeout=30)
