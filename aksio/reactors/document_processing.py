"""The document processing reactor: fetch, extract, analyse and index, then report by command.

It follows `Document.ProcessingRequested` (every upload, URL import and
reprocess request) with its own tracked position. A run is keyed by its
`run_id`: `StartProcessing` answers the same job again when the run had started
before a crash, so re-reading the request after a restart redoes the work, and
the aggregate ignores reports of runs that finished or were superseded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEvent
from eventsourcing.persistence import PersistenceError

from aksio.aggregates.documents.document import Document
from aksio.commands.bus import CommandBus
from aksio.commands.documents import (
    AttachFetchedFile,
    CompleteProcessing,
    FailProcessing,
    ProcessingJob,
    ReportProgress,
    StartProcessing,
)
from aksio.commands.services import Services
from aksio.core.errors import ServiceUnavailable
from aksio.integrations.blobs import BlobStore
from aksio.integrations.extraction import ExtractionFailed, ExtractionLimits
from aksio.integrations.extraction.formats import DOCUMENT_TYPES
from aksio.integrations.extraction.sandbox import extract_isolated
from aksio.integrations.fetcher import FetchFailed, UrlFetcher, fetch_url_for
from aksio.integrations.llm.models import LanguageModel
from aksio.integrations.retrieval import IndexedDocument, RemoteRetriever, Retriever
from aksio.reactors.runner import EventReactor
from aksio.settings import Settings

logger = logging.getLogger(__name__)
UNEXPECTED = "Processing failed because of an unexpected error. Try reprocessing the document."
MISSING = "The stored file is missing. Upload the document again."
SUMMARY_WORDS = 150


class DocumentProcessingReactor(EventReactor):
    name = "document_processing"
    topics = (Document.ProcessingRequested, Document.Deleted)

    def __init__(
        self,
        bus: CommandBus,
        blobs: BlobStore,
        fetcher: UrlFetcher,
        retriever: Retriever,
        llm: Callable[[], LanguageModel | None] = lambda: None,
        limits: ExtractionLimits | None = None,
    ) -> None:
        self.bus = bus
        self.blobs = blobs
        self.fetcher = fetcher
        self.retriever = retriever
        self.llm = llm  # asked per run, so the configured model is always the current one
        self.limits = limits or ExtractionLimits()
        self._reported: dict[UUID, int] = {}

    @classmethod
    def from_services(
        cls, bus: CommandBus, services: Services, settings: Settings | None = None
    ) -> DocumentProcessingReactor:
        limits = ExtractionLimits.from_settings(settings) if settings else None
        return cls(
            bus,
            services.blobs,
            services.fetcher,
            services.retriever,
            lambda: services.llm,
            limits,
        )

    def react(self, event: DomainEvent, position: int) -> None:
        if isinstance(event, Document.Deleted):
            self._forget(event.originator_id)
        elif isinstance(event, Document.ProcessingRequested):
            job = self.bus.dispatch(
                StartProcessing(document_id=event.originator_id, run_id=event.run_id)
            ).value
            if job is not None:
                self.run(job)

    def run(self, job: ProcessingJob) -> None:
        """Processes one job to its end: completed, or failed with a reason."""
        try:
            result = self._process(job)
        except (ExtractionFailed, FetchFailed) as failure:
            error = failure.message
        except ServiceUnavailable as failure:
            error = f"{failure.message} Try reprocessing the document later."
        except PersistenceError:
            raise  # the store is down: the runner retries this event later
        except Exception:
            logger.exception("processing of document %s failed", job.document_id)
            error = UNEXPECTED
        else:
            self.bus.dispatch(
                CompleteProcessing(document_id=job.document_id, run_id=job.run_id, result=result)
            )
            return
        finally:
            self._reported.pop(job.run_id, None)
        self.bus.dispatch(
            FailProcessing(document_id=job.document_id, run_id=job.run_id, error=error)
        )

    def _process(self, job: ProcessingJob) -> dict[str, Any]:
        blob_key, content_type = job.blob_key, job.content_type
        if blob_key is None or content_type is None:
            blob_key, content_type = self._fetch(job)
        if not self.blobs.exists(blob_key):
            raise ExtractionFailed(MISSING)
        self._progress(job, 10, "extracting")
        with self.blobs.local_path(blob_key) as path:
            # Bounded in memory and time: the file may be built to exhaust either.
            result, metadata = extract_isolated(
                path,
                content_type,
                lambda done: self._progress(job, 10 + int(done * 60), "extracting"),
                self.limits,
            )
        self._progress(job, 75, "analysing")
        summarizer = self._summarize(job, result)
        self._progress(job, 90, "indexing")
        self.retriever.index(_indexed(job, content_type, result))
        result["metadata"] = {
            "pages_processed": int(metadata.get("pages_processed") or 1),
            "text_extracted": True,
            "summary_generated": bool(result["summary"]),
            "summarizer": summarizer,
            "embeddings_created": True,
            "characters": len(result["extracted_text"]),
            "truncated": bool(metadata.get("truncated", False)),
            "title": metadata.get("title"),
            "retriever": "service" if isinstance(self.retriever, RemoteRetriever) else "builtin",
        }
        return result

    def _summarize(self, job: ProcessingJob, result: dict[str, Any]) -> str:
        """Puts the model's summary, topics and concepts in `result` when it offers them.

        Answers who summarised: the model's name, or "extractive" when the model
        offers no summary or fails (the extractive fields then stay as they are).
        """
        llm = self.llm()
        if llm is None or not result["extracted_text"].strip():
            return "extractive"
        try:
            summary = llm.summarize(result["extracted_text"], max_words=SUMMARY_WORDS)
        except Exception as failure:  # never fail a document because its summary failed
            logger.warning(
                "the language model could not summarise document %s (%s); "
                "keeping the extractive summary",
                job.document_id,
                failure,
            )
            return "extractive"
        if summary is None:
            return "extractive"
        result["summary"] = summary.summary
        result["topics"] = summary.topics or result["topics"]
        result["key_concepts"] = summary.key_concepts or result["key_concepts"]
        return llm.name

    def _fetch(self, job: ProcessingJob) -> tuple[str, str]:
        if not job.source_url:
            raise ExtractionFailed(MISSING)
        self._progress(job, 2, "fetching")
        fetched = self.fetcher.fetch(fetch_url_for(job.source_url), self.blobs)
        self.bus.dispatch(
            AttachFetchedFile(
                document_id=job.document_id,
                run_id=job.run_id,
                blob_key=fetched.blob_key,
                content_type=fetched.content_type,
                document_type=DOCUMENT_TYPES[fetched.content_type],
                file_size_bytes=fetched.size,
            )
        )
        return fetched.blob_key, fetched.content_type

    def _progress(self, job: ProcessingJob, percentage: int, stage: str) -> None:
        """Reports progress in steps of at least 10 points, so events stay few."""
        last = self._reported.get(job.run_id, 0)
        if percentage - last >= 10 or (percentage > last and stage != "extracting"):
            self._reported[job.run_id] = percentage
            self.bus.dispatch(
                ReportProgress(
                    document_id=job.document_id,
                    run_id=job.run_id,
                    percentage=percentage,
                    stage=stage,
                )
            )

    def _forget(self, document_id: UUID) -> None:
        try:
            self.retriever.forget(document_id)
        except ServiceUnavailable:
            logger.warning("the retrieval service could not forget document %s", document_id)


def _indexed(job: ProcessingJob, content_type: str, result: dict[str, Any]) -> IndexedDocument:
    text: str = result["extracted_text"]
    return IndexedDocument(
        document_id=job.document_id,
        owner_id=job.owner_id,
        course_id=job.course_id,
        name=job.name,
        content_type=content_type,
        text=text,
        chunks=[
            {
                "chunk_index": c["index"],
                "content": text[c["start"] : c["end"]],
                "page": c["page"],
                "section": c["section"],
            }
            for c in result["chunks"]
        ],
    )
