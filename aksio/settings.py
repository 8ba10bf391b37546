"""Every setting Aksio reads from the environment, and nothing else reads it."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AKSIO_", extra="ignore")

    data_dir: Path = Path("./var")
    database_url: str | None = None
    secret_key: str | None = None
    redis_url: str | None = None

    rate_limit_user: str = "100/minute"
    rate_limit_anon: str = "20/minute"
    rate_limit_upload: str = "10/hour"
    rate_limit_ai: str = "50/hour"

    allow_private_urls: bool = False
    email_backend: str = "console"

    kafka_bootstrap_servers: str | None = None
    kafka_topic: str = "aksio.events"
    kafka_partitions: int = Field(default=6, ge=1)

    llm_provider: str = "offline"
    openai_base_url: str | None = None
    openai_api_key: str | None = Field(
        default=None, validation_alias=AliasChoices("AKSIO_OPENAI_API_KEY", "OPENAI_API_KEY")
    )
    openai_model: str = "gpt-4o-mini"

    retriever_service_url: str | None = None
    scraper_service_url: str | None = None
    webhook_retry_schedule: str = "5,30,120,600,3600"

    # Each document is extracted in a child process with these bounds (see extraction/sandbox.py).
    extraction_memory_mb: int = Field(default=2048, ge=64)
    extraction_timeout_s: float = Field(default=120.0, gt=0)
    extraction_max_unpacked_mb: int = Field(default=200, ge=1)
    extraction_max_image_pixels: int = Field(default=50_000_000, ge=1)

    read_your_writes_timeout_s: float = 5.0
    log_format: Literal["text", "json"] = "text"
    # Stalls and outages: a connection checkout waits this long, then the request answers 503;
    # requests past AKSIO_MAX_IN_FLIGHT (default: derived from the pools) wait at most
    # AKSIO_ADMISSION_WAIT_S for a slot, then answer 503 (see aksio/api/admission.py).
    db_pool_timeout_s: float = Field(default=2.0, gt=0)
    max_in_flight: int | None = Field(default=None, ge=1)
    admission_wait_s: float = Field(default=1.0, ge=0)
    group_commit: bool = True
    aggregate_cache_size: int = 10_000
    max_body_bytes: int = 1_048_576
    # The HTTP edge of `aksio serve` (see api/protocol.py): request line plus headers, and the
    # longest wait for the rest of a request head or for the next piece of a body.
    max_header_bytes: int = Field(default=32_768, ge=1024)
    request_read_timeout_s: float = Field(default=10.0, gt=0)
    # a body may take the read timeout plus a second per this many bytes received
    request_min_body_rate: float = Field(default=500.0, gt=0)
    password_hash_memory_kib: int = 65536
    access_token_minutes: int = 15
    refresh_token_days: int = 7

    @property
    def uses_postgres(self) -> bool:
        return bool(self.database_url) and str(self.database_url).startswith(
            ("postgres://", "postgresql://")
        )

    def resolved_secret_key(self) -> str:
        """The JWT key: the configured one, else one generated once and kept in the data dir."""
        if self.secret_key:
            return self.secret_key
        self.data_dir.mkdir(parents=True, exist_ok=True)
        path = self.data_dir / "secret_key"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()
