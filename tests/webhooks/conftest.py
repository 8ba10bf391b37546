"""Webhook suites run a loopback receiver, so private URLs are allowed here."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aksio.settings import Settings
from tests.conftest import make_settings
from tests.webhooks.support import Receiver, serve


@pytest.fixture
def settings(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    url = request.getfixturevalue("pg_url") if backend == "postgres" else None
    return make_settings(tmp_path, url, allow_private_urls=True, webhook_retry_schedule="5,30")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    server = serve(found)
    yield found
    server.shutdown()
    server.server_close()
