"""Webhook signatures (Standard Webhooks) and the sealing of webhook secrets at rest.

A delivery carries `webhook-id`, `webhook-timestamp` (Unix seconds) and
`webhook-signature` = `v1,` + base64(HMAC-SHA256(key, id.timestamp.body)). Secrets have
the Standard Webhooks form `whsec_` + base64 of 24 to 64 random bytes, and the key is
those decoded bytes, so the official verifiers accept every delivery. Endpoints
registered before that rule keep their key format `utf-8` (the secret's UTF-8 bytes):
their subscribers verify that way. Secrets are stored in events only sealed (Fernet,
keyed from the server's secret key), so neither the audit endpoint nor the Kafka stream
ever carries them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from typing import Literal

from cryptography.fernet import Fernet, InvalidToken

PREFIX = "whsec_"
MIN_KEY_BYTES, MAX_KEY_BYTES = 24, 64
GENERATED_KEY_BYTES = 32
KeyFormat = Literal["whsec", "utf-8"]
STANDARD: KeyFormat = "whsec"
LEGACY: KeyFormat = "utf-8"  # endpoints registered before secrets had to be `whsec_`


def new_secret() -> str:
    """A fresh Standard Webhooks secret."""
    return PREFIX + base64.b64encode(secrets.token_bytes(GENERATED_KEY_BYTES)).decode("ascii")


def standard_key(secret: str) -> bytes:
    """The HMAC key of a `whsec_` secret; ValueError when the secret is not in that form."""
    if not secret.startswith(PREFIX):
        raise ValueError(f"Must start with {PREFIX!r} followed by base64 (Standard Webhooks).")
    try:
        key = base64.b64decode(secret[len(PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"The part after {PREFIX!r} must be standard base64.") from None
    if not MIN_KEY_BYTES <= len(key) <= MAX_KEY_BYTES:
        raise ValueError(
            f"The part after {PREFIX!r} must decode to {MIN_KEY_BYTES} to {MAX_KEY_BYTES} bytes."
        )
    return key


def signing_key(secret: str, key_format: str) -> bytes:
    """The HMAC key an endpoint signs with, by the key format it was registered with."""
    return secret.encode("utf-8") if key_format == LEGACY else standard_key(secret)


def sign(key: bytes, webhook_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header value for one delivery."""
    message = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def verify(key: bytes, webhook_id: str, timestamp: int, body: bytes, header: str) -> bool:
    """True when any `v1,` signature in the (space-separated) header matches."""
    expected = sign(key, webhook_id, timestamp, body)
    return any(hmac.compare_digest(expected, part) for part in header.split())


def signed_headers(key: bytes, webhook_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(key, webhook_id, timestamp, body),
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
