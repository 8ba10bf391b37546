"""The adapters a handler may use, built once in `aksio.bootstrap`; every one is always set."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from aksio.core.clock import Clock
from aksio.integrations.email import Mailer
from aksio.integrations.passwords import PasswordHasher
from aksio.integrations.payments import PaymentGateway
from aksio.integrations.signing import SecretBox
from aksio.integrations.tokens import TokenService

if TYPE_CHECKING:
    from aksio.integrations.blobs import BlobStore
    from aksio.integrations.fetcher import UrlFetcher
    from aksio.integrations.llm.models import LanguageModel
    from aksio.integrations.retrieval import Retriever


@dataclass
class Services:
    clock: Clock
    passwords: PasswordHasher
    mailer: Mailer
    tokens: TokenService
    payments: PaymentGateway
    secret_box: SecretBox
    blobs: BlobStore
    fetcher: UrlFetcher
    retriever: Retriever
    llm: LanguageModel
