"""Fixtures shared by the core suites."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from aksio.bootstrap import System, build, migrate
from aksio.settings import Settings


@pytest.fixture
def pair(settings: Settings) -> Iterator[tuple[System, System]]:
    """Two systems on one store, as two API processes would be."""
    migrate(settings)
    first, second = build(settings, start_threads=False), build(settings, start_threads=False)
    yield first, second
    first.close()
    second.close()
