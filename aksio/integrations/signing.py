"""Webhook signatures (Standard Webhooks) and the sealing of webhook secrets at rest.

A delivery carries `webhook-id`, `webhook-timestamp` (Unix seconds) and
`webhook-signature` = `v1,` + base64(HMAC-SHA256(secret, id.timestamp.body)).
Secrets are stored in events only sealed (Fernet, keyed from the server's secret
key), so neither the audit endpoint nor the Kafka stream ever carries them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken


def sign(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header value for one delivery."""
    message = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def verify(secret: str, webhook_id: str, timestamp: int, body: bytes, header: str) -> bool:
    """True when any `v1,` signature in the (space-separated) header matches."""
    expected = sign(secret, webhook_id, timestamp, body)
    return any(hmac.compare_digest(expected, part) for part in header.split())


def signed_headers(secret: str, webhook_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, webhook_id, timestamp, body),
        "content-type": "application/json",
    }


class SecretBox:
    """Seals and opens short secrets with a key derived from the server's secret key."""

    def __init__(self, server_key: str) -> None:
        derived = hashlib.sha256(b"aksio.webhook-secrets:" + server_key.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode("utf-8")).decode("ascii")

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise ValueError("sealed with another key") from None
