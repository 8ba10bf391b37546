"""Commands of the documents context: those users give, and those the processing reactor gives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

from aksio.aggregates.courses.course import Course
from aksio.aggregates.documents.document import Document
from aksio.commands.bus import Command, Handler, UnitOfWork
from aksio.core.errors import NotFound, ValidationFailed


@dataclass(frozen=True)
class Accepted:
    document_id: UUID
    run_id: UUID


@dataclass(frozen=True)
class ProcessingJob:
    """What the reactor needs to process a document, as its aggregate knows it."""

    document_id: UUID
    run_id: UUID
    owner_id: UUID
    course_id: UUID
    name: str
    source_url: str | None
    blob_key: str | None
    content_type: str | None


@dataclass(frozen=True, kw_only=True)
class UploadDocument(Command[Accepted]):
    owner_id: UUID
    course_id: UUID
    section_id: UUID | None = None
    name: str
    description: str | None = None
    filename: str | None
    blob_key: str
    content_type: str
    document_type: str
    file_size_bytes: int


@dataclass(frozen=True, kw_only=True)
class ImportDocument(Command[Accepted]):
    owner_id: UUID
    course_id: UUID
    section_id: UUID | None = None
    name: str
    description: str | None = None
    url: str
    url_type: str


@dataclass(frozen=True, kw_only=True)
class UpdateDocument(Command[None]):
    owner_id: UUID
    course_id: UUID
    document_id: UUID
    changes: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class DeleteDocument(Command[None]):
    owner_id: UUID
    course_id: UUID
    document_id: UUID


@dataclass(frozen=True, kw_only=True)
class ReprocessDocument(Command[UUID]):
    owner_id: UUID
    course_id: UUID
    document_id: UUID


@dataclass(frozen=True, kw_only=True)
class StartProcessing(Command[ProcessingJob | None]):
    document_id: UUID
    run_id: UUID


@dataclass(frozen=True, kw_only=True)
class AttachFetchedFile(Command[None]):
    document_id: UUID
    run_id: UUID
    blob_key: str
    content_type: str
    document_type: str
    file_size_bytes: int


@dataclass(frozen=True, kw_only=True)
class ReportProgress(Command[None]):
    document_id: UUID
    run_id: UUID
    percentage: int
    stage: str


@dataclass(frozen=True, kw_only=True)
class CompleteProcessing(Command[None]):
    document_id: UUID
    run_id: UUID
    result: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class FailProcessing(Command[None]):
    document_id: UUID
    run_id: UUID
    error: str


def _check_section(uow: UnitOfWork, owner_id: UUID, course_id: UUID, section: Any) -> None:
    course = uow.load(Course, course_id, owner_id=owner_id)
    if section is not None and section not in course.sections:
        raise ValidationFailed.field("section_id", "This course has no such section.")


def _owned(uow: UnitOfWork, owner_id: UUID, course_id: UUID, document_id: UUID) -> Document:
    document = uow.load(Document, document_id, owner_id=owner_id)
    if document.deleted or document.course_id != course_id:
        raise NotFound("Document")
    return document


def _new(cmd: UploadDocument | ImportDocument, **source: Any) -> Document:
    return Document.create(
        cmd.owner_id, cmd.course_id, cmd.section_id, cmd.name, cmd.description, **source
    )


def upload_document(cmd: UploadDocument, uow: UnitOfWork) -> Accepted:
    _check_section(uow, cmd.owner_id, cmd.course_id, cmd.section_id)
    document = _new(
        cmd, source_type="upload", source_url=None, url_type=None, document_type=cmd.document_type
    )
    document.attach(
        cmd.blob_key, cmd.content_type, cmd.document_type, cmd.file_size_bytes, cmd.filename
    )
    run_id = uuid4()
    document.request_processing(run_id, "upload")
    uow.save(document)
    return Accepted(document.id, run_id)


def import_document(cmd: ImportDocument, uow: UnitOfWork) -> Accepted:
    _check_section(uow, cmd.owner_id, cmd.course_id, cmd.section_id)
    document = _new(
        cmd, source_type="url", source_url=cmd.url, url_type=cmd.url_type, document_type="url"
    )
    run_id = uuid4()
    document.request_processing(run_id, "url")
    uow.save(document)
    return Accepted(document.id, run_id)


def update_document(cmd: UpdateDocument, uow: UnitOfWork) -> None:
    document = _owned(uow, cmd.owner_id, cmd.course_id, cmd.document_id)
    if "section_id" in cmd.changes:
        _check_section(uow, cmd.owner_id, cmd.course_id, cmd.changes["section_id"])
    document.update(cmd.changes)
    uow.save(document)


def delete_document(cmd: DeleteDocument, uow: UnitOfWork) -> None:
    document = _owned(uow, cmd.owner_id, cmd.course_id, cmd.document_id)
    document.delete()
    uow.save(document)


def reprocess_document(cmd: ReprocessDocument, uow: UnitOfWork) -> UUID:
    document = _owned(uow, cmd.owner_id, cmd.course_id, cmd.document_id)
    run_id = uuid4()
    document.request_processing(run_id, "reprocess")
    uow.save(document)
    return run_id


# -- the processing reactor's commands (no owner: the system acts on its own events) --
def start_processing(cmd: StartProcessing, uow: UnitOfWork) -> ProcessingJob | None:
    document = uow.find(Document, cmd.document_id)
    if document is None or not document.start(cmd.run_id):
        return None
    uow.save(document)
    file = document.file or {}
    return ProcessingJob(
        document_id=document.id,
        run_id=cmd.run_id,
        owner_id=document.owner_id,
        course_id=document.course_id,
        name=document.fields["name"],
        source_url=document.source_url,
        blob_key=file.get("blob_key"),
        content_type=file.get("content_type"),
    )


def attach_fetched_file(cmd: AttachFetchedFile, uow: UnitOfWork) -> None:
    document = uow.load(Document, cmd.document_id)
    document.attach_fetched(
        cmd.run_id, cmd.blob_key, cmd.content_type, cmd.document_type, cmd.file_size_bytes
    )
    uow.save(document)


def report_progress(cmd: ReportProgress, uow: UnitOfWork) -> None:
    document = uow.load(Document, cmd.document_id)
    document.report_progress(cmd.run_id, cmd.percentage, cmd.stage)
    uow.save(document)


def complete_processing(cmd: CompleteProcessing, uow: UnitOfWork) -> None:
    document = uow.load(Document, cmd.document_id)
    document.complete(cmd.run_id, cmd.result)
    uow.save(document)


def fail_processing(cmd: FailProcessing, uow: UnitOfWork) -> None:
    document = uow.load(Document, cmd.document_id)
    document.fail(cmd.run_id, cmd.error)
    uow.save(document)


HANDLERS: dict[type[Any], Handler] = {
    UploadDocument: upload_document,
    ImportDocument: import_document,
    UpdateDocument: update_document,
    DeleteDocument: delete_document,
    ReprocessDocument: reprocess_document,
    StartProcessing: start_processing,
    AttachFetchedFile: attach_fetched_file,
    ReportProgress: report_progress,
    CompleteProcessing: complete_processing,
    FailProcessing: fail_processing,
}
