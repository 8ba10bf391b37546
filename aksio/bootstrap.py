"""The composition root: the only place that builds concrete adapters and wires them."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine

from aksio.commands import accounts as account_commands
from aksio.commands import assessments as assessment_commands
from aksio.commands import billing as billing_commands
from aksio.commands import chat as chat_commands
from aksio.commands import courses as course_commands
from aksio.commands import documents as document_commands
from aksio.commands import flashcard_imports as flashcard_import_commands
from aksio.commands import flashcards as flashcard_commands
from aksio.commands import fsrs_parameters as fsrs_parameter_commands
from aksio.commands import generation as generation_commands
from aksio.commands import learning as learning_commands
from aksio.commands import quizzes as quiz_commands
from aksio.commands import webhooks as webhook_commands
from aksio.commands.bus import CommandBus, Handler
from aksio.commands.services import Services
from aksio.core.clock import Clock, SystemClock
from aksio.core.store import EventStore, migrate_event_store, migration_lock, open_store
from aksio.integrations.blobs import FileBlobStore
from aksio.integrations.email import mailer_from_url
from aksio.integrations.fetcher import UrlFetcher
from aksio.integrations.llm import language_model
from aksio.integrations.passwords import Argon2PasswordHasher
from aksio.integrations.payments import gateway_named
from aksio.integrations.ratelimit import RateLimiter
from aksio.integrations.retrieval import BuiltinRetriever, RemoteRetriever, Retriever
from aksio.integrations.signing import SecretBox
from aksio.integrations.tokens import TokenService
from aksio.projections.accounts import AccountsProjection
from aksio.projections.assessments import AssessmentsProjection
from aksio.projections.billing import BillingProjection
from aksio.projections.chat.projection import ChatProjection
from aksio.projections.courses import CoursesProjection
from aksio.projections.documents.chunks import DocumentChunksProjection
from aksio.projections.documents.projection import DocumentsProjection
from aksio.projections.engine.base import Projection
from aksio.projections.engine.db import make_engine, metadata
from aksio.projections.engine.locks import make_locks
from aksio.projections.engine.positions import PositionWatch
from aksio.projections.engine.quarantine import HeldWatch, held_back
from aksio.projections.engine.runner import ProjectionRunner
from aksio.projections.flashcards.projection import FlashcardsProjection
from aksio.projections.learning.projection import LearningProjection
from aksio.projections.quizzes import QuizzesProjection
from aksio.projections.webhooks import WebhooksProjection
from aksio.reactors.document_processing import DocumentProcessingReactor
from aksio.reactors.runner import Reactor, ReactorRunner
from aksio.reactors.webhook_dispatch import webhook_dispatcher
from aksio.settings import Settings

logger = logging.getLogger("aksio")


def all_projections() -> list[Projection]:
    return [
        AccountsProjection(),
        CoursesProjection(),
        FlashcardsProjection(),
        QuizzesProjection(),
        AssessmentsProjection(),
        DocumentsProjection(),
        DocumentChunksProjection(),
        LearningProjection(),
        BillingProjection(),
        WebhooksProjection(),
        ChatProjection(),
    ]


def all_handlers() -> dict[type[Any], Handler]:
    handlers: dict[type[Any], Handler] = {}
    for module in (
        account_commands,
        course_commands,
        flashcard_commands,
        flashcard_import_commands,
        fsrs_parameter_commands,
        quiz_commands,
        assessment_commands,
        document_commands,
        learning_commands,
        billing_commands,
        webhook_commands,
        chat_commands,
        generation_commands,
    ):
        handlers.update(module.HANDLERS)
    return handlers


def all_reactors(bus: CommandBus, settings: Settings, services: Services) -> list[Reactor]:
    """The reactors that follow the log (document processing, webhooks, Kafka relay)."""
    reactors: list[Reactor] = [webhook_dispatcher(bus, settings.webhook_retry_schedule)]
    reactors.append(DocumentProcessingReactor.from_services(bus, services, settings))
    if settings.kafka_bootstrap_servers:
        from aksio.reactors.kafka_relay import KafkaRelay  # kafka only when configured

        reactors.append(KafkaRelay.from_settings(settings))
    return reactors


def migrate(settings: Settings) -> None:
    """Creates every table (event store, read models) once, under a cross-process lock."""
    with migration_lock(settings):
        migrate_event_store(settings)
        engine = make_engine(settings)
        try:
            metadata.create_all(engine)
        finally:
            engine.dispose()


@dataclass
class System:
    settings: Settings
    store: EventStore
    engine: Engine
    bus: CommandBus
    runner: ProjectionRunner
    projections: list[Projection]
    tokens: TokenService
    limiter: RateLimiter
    services: Services
    in_process: bool
    watch: PositionWatch
    held: HeldWatch
    reactors: list[ReactorRunner] = field(default_factory=list)

    @property
    def clock(self) -> Clock:
        return self.services.clock

    def wait_for(self, position: int) -> bool:
        """Read-your-writes: blocks until every projection has passed `position`."""
        timeout = self.settings.read_your_writes_timeout_s
        if self.in_process and len(self.runner.owned) == len(self.projections):
            return self.runner.wait_for(position, timeout)
        return self.watch.wait_for(position, timeout)

    def caught_up(self) -> bool:
        """Read-your-writes for a read: waits until every projection has passed every event
        stored so far, by any process; False when they did not within the bounded wait."""
        head = self.store.head()
        return not head or self.wait_for(head)

    def problems(self) -> list[dict[str, Any]]:
        """What holds events back: failing batches here, and quarantines anywhere."""
        found = [self.runner.failure] if self.runner.failure else []
        found += [r.failure for r in self.reactors if r.failure]
        found += [held.as_problem() for held in held_back(self.held.engine)]
        return found

    def drain(self) -> None:
        """Runs projections and reactors until the log stops growing (tests, CLI)."""
        while True:
            head = self.store.head()
            self.runner.drain()
            for reactor in self.reactors:
                reactor.drain()
            if self.store.head() == head:
                self.runner.drain()
                return

    def close(self) -> None:
        for reactor in self.reactors:
            reactor.stop()
        self.runner.stop()
        self.held.stop()
        self.watch.stop()
        self.store.close()
        self.runner.engine.dispose()
        self.engine.dispose()


def build(
    settings: Settings,
    *,
    clock: Clock | None = None,
    workers: bool = True,
    start_threads: bool = True,
) -> System:
    """Builds the whole system; with `workers`, projections run in this process."""
    store = open_store(settings)
    engine = make_engine(settings)
    tokens = TokenService(
        settings.resolved_secret_key(), settings.access_token_minutes, settings.refresh_token_days
    )
    retriever: Retriever = BuiltinRetriever(engine)
    if settings.retriever_service_url:
        retriever = RemoteRetriever(settings.retriever_service_url, engine)
    services = Services(
        clock=clock or SystemClock(),
        passwords=Argon2PasswordHasher(settings.password_hash_memory_kib),
        mailer=mailer_from_url(settings.email_backend),
        tokens=tokens,
        payments=gateway_named("sandbox"),
        secret_box=SecretBox(settings.resolved_secret_key()),
        blobs=FileBlobStore(settings.data_dir / "blobs"),
        fetcher=UrlFetcher(
            allow_private=settings.allow_private_urls, scraper_url=settings.scraper_service_url
        ),
        retriever=retriever,
        llm=language_model(
            settings.llm_provider,
            base_url=settings.openai_base_url,
            api_key=settings.openai_api_key,
            model=settings.openai_model,
        ),
    )
    bus = CommandBus(store, services, all_handlers(), group_commit=settings.group_commit)
    projections = all_projections()
    locks = make_locks(settings)
    runner = ProjectionRunner(
        store,
        # Its own pool (waiting requests never starve it), committing without waiting for the
        # disk: read models are rebuilt from the log, and after a crash applied again.
        make_engine(settings, pool_size=2, waits_for_flush=False),
        projections,
        locks,
        listen_url=settings.database_url if settings.uses_postgres else None,
    )
    limiter = RateLimiter(
        user=settings.rate_limit_user,
        anon=settings.rate_limit_anon,
        upload=settings.rate_limit_upload,
        ai=settings.rate_limit_ai,
        redis_url=settings.redis_url,
        user_of_token=tokens.user_of_access,
    )
    listen_url = settings.database_url if settings.uses_postgres else None
    watch = PositionWatch(make_engine(settings, pool_size=1), projections, listen_url)
    held = HeldWatch(watch.engine)
    held.refresh()
    runner.holds.listeners.append(held.refresh)
    system = System(
        settings, store, engine, bus, runner, projections, tokens, limiter, services, workers,
        watch, held,
    )  # fmt: skip
    if workers:
        runner.claim()
        bus.listeners.append(runner.wake)
        reactor_locks = make_locks(settings)
        for reactor in all_reactors(bus, settings, services):
            reactor_runner = reactor.make_runner(store, engine, reactor_locks)
            system.reactors.append(reactor_runner)
            bus.listeners.append(reactor_runner.wake)
        if start_threads:
            runner.start()
            held.start()
            for reactor_runner in system.reactors:
                reactor_runner.start()
    return system
