"""The adapters a handler may use, built once in `aksio.bootstrap`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aksio.core.clock import Clock, SystemClock
from aksio.integrations.email import Mailer
from aksio.integrations.passwords import PasswordHasher
from aksio.integrations.tokens import TokenService

if TYPE_CHECKING:
    from aksio.integrations.blobs import BlobStore
    from aksio.integrations.fetcher import UrlFetcher
    from aksio.integrations.llm.models import LanguageModel
    from aksio.integrations.retrieval import Retriever


@dataclass
class Services:
    clock: Clock = field(default_factory=SystemClock)
    passwords: PasswordHasher | None = None
    mailer: Mailer | None = None
    tokens: TokenService | None = None
    blobs: BlobStore | None = None
    fetcher: UrlFetcher | None = None
    retriever: Retriever | None = None
    llm: LanguageModel | None = None
    # Adapters of other contexts (hasher, mailer, tokens, ...) are attached by name.
    extra: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str) -> Any:
        return self.extra[name]
