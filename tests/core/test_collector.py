"""Collector tuning: a replay runs with a larger young-generation threshold, then restores it."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from aksio.core.collector import YOUNG_THRESHOLD, fewer_collections


@pytest.fixture
def default_thresholds() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*before)


@pytest.mark.usefixtures("default_thresholds")
def test_thresholds_are_raised_inside_and_restored_after() -> None:
    with fewer_collections():
        assert gc.get_threshold() == (YOUNG_THRESHOLD, 10, 10)
        assert gc.isenabled()
    assert gc.get_threshold() == (700, 10, 10)


@pytest.mark.usefixtures("default_thresholds")
def test_thresholds_are_restored_after_an_error_and_never_lowered() -> None:
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("replay failed")
    assert gc.get_threshold() == (700, 10, 10)
    gc.set_threshold(2 * YOUNG_THRESHOLD, 10, 10)
    with fewer_collections():
        assert gc.get_threshold()[0] == 2 * YOUNG_THRESHOLD
