"""Group commit: concurrent commands share transactions but keep their own results."""

from __future__ import annotations

import threading
from uuid import UUID, uuid4

from aksio.bootstrap import System
from aksio.commands.courses import CreateCourse, UpdateCourse


def test_concurrent_commands_each_get_their_own_position(system: System) -> None:
    owner = uuid4()
    results: list[tuple[UUID, int]] = []
    guard = threading.Lock()

    def create(worker: int) -> None:
        for n in range(15):
            outcome = system.bus.dispatch(
                CreateCourse(owner_id=owner, fields={"name": f"{worker}-{n}"})
            )
            with guard:
                results.append((outcome.value, outcome.position))

    threads = [threading.Thread(target=create, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 120
    assert len({position for _, position in results}) == 120
    for course_id, position in results:
        [notification] = system.store.recorder.select_notifications(position, 1)
        assert notification.originator_id == course_id


def test_same_aggregate_commands_in_one_group_all_land_in_order(system: System) -> None:
    owner = uuid4()
    course_id = system.bus.dispatch(CreateCourse(owner_id=owner, fields={"name": "c"})).value
    positions: list[int] = []
    guard = threading.Lock()

    def bump(worker: int) -> None:
        for n in range(5):
            outcome = system.bus.dispatch(
                UpdateCourse(
                    owner_id=owner, course_id=course_id, changes={"credits": worker * 10 + n}
                )
            )
            with guard:
                positions.append(outcome.position)

    threads = [threading.Thread(target=bump, args=(w,)) for w in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    events = list(system.store.events.get(course_id))
    assert [e.originator_version for e in events] == list(range(1, 52))
    assert len(set(positions)) == 50
