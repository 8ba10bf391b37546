"""Fixtures shared by every suite: a whole system on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from aksio.api.app import create_app
from aksio.bootstrap import System, build, migrate
from aksio.core.clock import FixedClock
from aksio.settings import Settings

PG_ADMIN = os.environ.get("AKSIO_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
DATA = Path(__file__).resolve().parent / "data"  # test data kept in the repository


def _pg_admin() -> psycopg.Connection[Any]:
    return psycopg.connect(PG_ADMIN, autocommit=True)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test."""
    name = f"aksio_test_{uuid.uuid4().hex[:12]}"
    with _pg_admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with _pg_admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_settings(tmp_path: Path, database_url: str | None = None, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp_path / "var",
        "database_url": database_url,
        "secret_key": "test-secret-key-that-is-long-enough-for-hs256",
        "rate_limit_user": "100000/minute",
        "rate_limit_anon": "100000/minute",
        "rate_limit_upload": "100000/hour",
        "rate_limit_ai": "100000/hour",
        "email_backend": f"file://{tmp_path / 'mail'}",
        "password_hash_memory_kib": 1024,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    url = request.getfixturevalue("pg_url") if backend == "postgres" else None
    return make_settings(tmp_path, url)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def system(settings: Settings, clock: FixedClock) -> Iterator[System]:
    """The whole system with projections running in-process, as `aksio serve` runs it."""
    migrate(settings)
    built = build(settings, clock=clock)
    yield built
    built.close()


@pytest.fixture
def client(system: System) -> Iterator[TestClient]:
    with TestClient(create_app(system)) as test_client:
        yield test_client


@pytest.fixture
def make_user(system: System) -> Callable[[], dict[str, str]]:
    """Authorization headers for a new user id (no account needed: tokens carry the id)."""

    def make() -> dict[str, str]:
        token = system.tokens.access(uuid.uuid4(), system.clock.now())
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def auth(make_user: Callable[[], dict[str, str]]) -> dict[str, str]:
    return make_user()


def assert_envelope(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"error", "details", "error_code", "timestamp", "request_id"}
    assert body["error_code"] == code
    assert response.headers["x-request-id"] == body["request_id"]
    return body
