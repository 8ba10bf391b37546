"""Helpers shared by the accounts tests."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

BASE = "/api/v1/accounts"
PASSWORD = "correct horse battery"
TOKEN_PATTERN = re.compile(r"\b[0-9a-f]{32}\.[A-Za-z0-9_-]{20,}")


def register(client: TestClient, email: str, password: str = PASSWORD, **extra: Any) -> Any:
    response = client.post(
        f"{BASE}/register/", json={"email": email, "password": password, **extra}
    )
    assert response.status_code == 201, response.text
    return response.json()


def login(client: TestClient, username: str, password: str = PASSWORD) -> Any:
    response = client.post(f"{BASE}/login/", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return response.json()


def bearer(session: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {session['access']}"}


def mails(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.eml")) if directory.exists() else []
