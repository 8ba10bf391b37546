"""A study document of a course: an uploaded file or a page imported from a URL.

Lifecycle: `Created` (with `Uploaded` when the file came with the request) and
`ProcessingRequested` start a processing run, named by its `run_id`. The
processing reactor answers `ProcessingStarted`, `Uploaded` for an imported URL
once fetched, `ProcessingProgressed`, then `ProcessingCompleted` or
`ProcessingFailed`. `reprocess` requests a new run, which supersedes an
unfinished one: reports of an older run are ignored. `Updated` changes the name,
description or section; `Deleted` ends it (later commands find nothing).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from aksio.aggregates import values as v

EDITABLE_FIELDS = ("name", "description", "section_id")
EDIT_RULES = {
    "name": v.text(required=True, max_length=255),
    "description": v.text(nullable=True),
    "section_id": v.identifier(),
}
SOURCE_RULES = {"source_url": v.text(nullable=True, max_length=2048)}


class Document(Aggregate):
    TOPIC = "aksio.document"

    class Created(Aggregate.Created):
        TOPIC = "aksio.document.created"
        owner_id: UUID
        course_id: UUID
        section_id: UUID | None
        name: str
        description: str | None
        source_type: str
        source_url: str | None
        url_type: str | None
        document_type: str

    class Uploaded(Aggregate.Event):
        TOPIC = "aksio.document.uploaded"
        blob_key: str
        content_type: str
        document_type: str
        file_size_bytes: int
        filename: str | None

    class Updated(Aggregate.Event):
        TOPIC = "aksio.document.updated"
        changes: dict[str, Any]

    class Deleted(Aggregate.Event):
        TOPIC = "aksio.document.deleted"

    class ProcessingRequested(Aggregate.Event):
        TOPIC = "aksio.document.processing_requested"
        run_id: UUID
        reason: str

    class ProcessingStarted(Aggregate.Event):
        TOPIC = "aksio.document.processing_started"
        run_id: UUID

        def apply(self, aggregate: Document) -> None:
            aggregate.run_started = True

    class ProcessingProgressed(Aggregate.Event):
        TOPIC = "aksio.document.processing_progressed"
        run_id: UUID
        progress_percentage: int
        stage: str

        def apply(self, aggregate: Document) -> None:
            aggregate.progress = self.progress_percentage

    class ProcessingCompleted(Aggregate.Event):
        """The result of a run; `sections` and `chunks` hold offsets into `extracted_text`."""

        TOPIC = "aksio.document.processing_completed"
        run_id: UUID
        extracted_text: str
        summary: str
        topics: list[str]
        key_concepts: list[str]
        sections: list[dict[str, Any]]
        chunks: list[dict[str, Any]]
        metadata: dict[str, Any]

        def apply(self, aggregate: Document) -> None:
            aggregate.run_finished = True
            aggregate.progress = 100
            aggregate.status = "completed"

    class ProcessingFailed(Aggregate.Event):
        TOPIC = "aksio.document.processing_failed"
        run_id: UUID
        error: str

        def apply(self, aggregate: Document) -> None:
            aggregate.run_finished = True
            aggregate.status = "failed"

    @event(Created)
    def __init__(
        self,
        owner_id: UUID,
        course_id: UUID,
        section_id: UUID | None,
        name: str,
        description: str | None,
        source_type: str,
        source_url: str | None,
        url_type: str | None,
        document_type: str,
    ) -> None:
        self.owner_id = owner_id
        self.course_id = course_id
        self.fields: dict[str, Any] = {
            "name": name,
            "description": description,
            "section_id": section_id,
        }
        self.source_type = source_type
        self.source_url = source_url
        self.document_type = document_type
        self.file: dict[str, Any] | None = None
        self.run_id: UUID | None = None
        self.run_started = False
        self.run_finished = False
        self.progress = 0
        self.status = "processing"
        self.deleted = False

    @classmethod
    def create(
        cls,
        owner_id: UUID,
        course_id: UUID,
        section_id: UUID | None,
        name: str,
        description: str | None,
        *,
        source_type: str,
        source_url: str | None,
        url_type: str | None,
        document_type: str,
    ) -> Document:
        """A new document, once its name and description are ones its row can hold."""
        v.check({"name": name, "description": description, "section_id": section_id}, EDIT_RULES)
        v.check({"source_url": source_url}, SOURCE_RULES)
        return cls(
            owner_id=owner_id,
            course_id=course_id,
            section_id=section_id,
            name=name,
            description=description,
            source_type=source_type,
            source_url=source_url,
            url_type=url_type,
            document_type=document_type,
        )

    # -- decisions -------------------------------------------------------------------
    def attach(
        self, blob_key: str, content_type: str, document_type: str, size: int, filename: str | None
    ) -> None:
        self._uploaded(
            blob_key=blob_key,
            content_type=content_type,
            document_type=document_type,
            file_size_bytes=size,
            filename=filename,
        )

    def request_processing(self, run_id: UUID, reason: str) -> None:
        self._processing_requested(run_id=run_id, reason=reason)

    def update(self, changes: dict[str, Any]) -> None:
        v.check(changes, EDIT_RULES)
        changed = {k: v for k, v in changes.items() if self.fields.get(k) != v}
        if changed:
            self._updated(changes=changed)

    def delete(self) -> None:
        if not self.deleted:
            self._deleted()

    def is_current(self, run_id: UUID) -> bool:
        """Whether reports of `run_id` still count: the latest run, not finished, not deleted."""
        return not self.deleted and run_id == self.run_id and not self.run_finished

    def start(self, run_id: UUID) -> bool:
        """True when the run should go on (also when it had started before a crash)."""
        if not self.is_current(run_id):
            return False
        if not self.run_started:
            self.trigger_event(self.ProcessingStarted, run_id=run_id)
        return True

    def attach_fetched(
        self, run_id: UUID, blob_key: str, content_type: str, document_type: str, size: int
    ) -> None:
        if self.is_current(run_id):
            self.attach(blob_key, content_type, document_type, size, None)

    def report_progress(self, run_id: UUID, percentage: int, stage: str) -> None:
        if self.is_current(run_id) and percentage > self.progress:
            self.trigger_event(
                self.ProcessingProgressed,
                run_id=run_id,
                progress_percentage=min(percentage, 99),
                stage=stage,
            )

    def complete(self, run_id: UUID, result: dict[str, Any]) -> None:
        if self.is_current(run_id):
            self.trigger_event(self.ProcessingCompleted, run_id=run_id, **result)

    def fail(self, run_id: UUID, error: str) -> None:
        if self.is_current(run_id):
            self.trigger_event(self.ProcessingFailed, run_id=run_id, error=error)

    # -- appliers --------------------------------------------------------------------
    @event(Uploaded)
    def _uploaded(
        self,
        blob_key: str,
        content_type: str,
        document_type: str,
        file_size_bytes: int,
        filename: str | None,
    ) -> None:
        self.file = {
            "blob_key": blob_key,
            "content_type": content_type,
            "file_size_bytes": file_size_bytes,
            "filename": filename,
        }
        self.document_type = document_type

    @event(Updated)
    def _updated(self, changes: dict[str, Any]) -> None:
        self.fields.update(changes)

    @event(Deleted)
    def _deleted(self) -> None:
        self.deleted = True

    @event(ProcessingRequested)
    def _processing_requested(self, run_id: UUID, reason: str) -> None:
        self.run_id = run_id
        self.run_started = False
        self.run_finished = False
        self.progress = 0
        self.status = "processing"
