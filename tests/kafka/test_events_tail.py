"""`aksio events tail` prints the topic's events as JSON lines."""

from __future__ import annotations

import json
from uuid import uuid4

import pytest

from aksio.bootstrap import build, migrate
from aksio.cli import main
from aksio.commands.courses import CreateCourse, UpdateCourse
from aksio.core.clock import FixedClock
from aksio.settings import Settings
from tests.kafka.conftest import Broker


@pytest.mark.parametrize("backend", ["sqlite"])
def test_tail_prints_every_event_and_filters_by_aggregate(
    kafka_settings: Settings,
    broker: Broker,
    topic: str,
    clock: FixedClock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    migrate(kafka_settings)
    system = build(kafka_settings, clock=clock, start_threads=False)
    owner = uuid4()
    first = system.bus.dispatch(CreateCourse(owner_id=owner, fields={"name": "A"})).value
    second = system.bus.dispatch(CreateCourse(owner_id=owner, fields={"name": "B"})).value
    system.bus.dispatch(UpdateCourse(owner_id=owner, course_id=first, changes={"name": "A2"}))
    system.drain()
    system.close()
    common = ["events", "tail", "--from-beginning", "--idle", "1.5"]
    common += ["--bootstrap-servers", broker.servers, "--topic", topic]
    assert main(common) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted(v["position"] for v in lines) == [1, 2, 3]
    assert main([*common, "--aggregate-id", str(first)]) == 0
    only = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(v["type"], v["version"]) for v in only] == [
        ("course.created", 1),
        ("course.updated", 2),
    ]
    assert all(v["aggregate_id"] == str(first) for v in only) and second != first
    assert main([*common, "--max", "1"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1
