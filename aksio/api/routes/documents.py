"""Documents of a course: upload, import from a URL, processing status, content, retrieval."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile

from aksio.api.deps import Bus, CurrentUser, Paging, Reads, SystemDep
from aksio.api.schemas.common import ERRORS, PageOut
from aksio.api.schemas.documents import (
    ContentOut,
    DocumentOut,
    DocumentUpdate,
    PassageOut,
    ProcessingMetadata,
    ProcessingStatusOut,
    ReprocessOut,
    UploadLimitsOut,
    UploadOut,
    UrlImport,
)
from aksio.bootstrap import System
from aksio.commands.documents import (
    DeleteDocument,
    ImportDocument,
    ReprocessDocument,
    UpdateDocument,
    UploadDocument,
)
from aksio.core.errors import DomainError, InvalidState, NotFound, ValidationFailed
from aksio.integrations.blobs import BlobStore, read_chunks
from aksio.integrations.extraction.formats import (
    ALLOWED_CONTENT_TYPES,
    DOCUMENT_TYPES,
    check_matches,
    resolve_type,
)
from aksio.integrations.fetcher import UrlFetcher, url_type
from aksio.projections.billing import check_quota
from aksio.projections.documents import projection as q
from aksio.projections.engine.base import Row
from aksio.usecases.ownership import own_course

MAX_FILE_BYTES = 50 * 1024 * 1024
URL_TYPES = ["web_page", "pdf_url", "google_docs", "youtube_video", "academic_paper"]
SECONDS_PER_MB = {"pdf": 4, "docx": 2, "image": 10, "html": 1, "text": 1, "markdown": 1}
router = APIRouter(
    prefix="/api/v1/courses/{course_id}/documents",
    tags=["documents"],
    responses={**ERRORS, 415: ERRORS[413]},
)


def _document_row(reads: Reads, user: UUID, course_id: UUID, document_id: UUID) -> Row:
    row = q.get_document(reads, user, document_id, course_id)
    if row is None:
        raise NotFound("Document")
    return row


def _document(reads: Reads, user: UUID, course_id: UUID, document_id: UUID) -> DocumentOut:
    return DocumentOut.model_validate(_document_row(reads, user, course_id, document_id))


def _blobs(system: System) -> BlobStore:
    return system.services.blobs


def _fetcher(system: System) -> UrlFetcher:
    return system.services.fetcher


@router.get("/", response_model=PageOut[DocumentOut])
def list_documents(
    request: Request,
    course_id: UUID,
    user: CurrentUser,
    reads: Reads,
    paging: Paging,
    processing_status: Literal["processing", "completed", "failed"] | None = None,
    document_type: Literal["pdf", "docx", "text", "markdown", "html", "image", "url"] | None = None,
) -> PageOut[DocumentOut]:
    """List the course's documents, oldest first."""
    own_course(reads, user, course_id)
    filters = {"processing_status": processing_status, "document_type": document_type}
    page = q.list_documents(reads, user, course_id, paging.page, paging.page_size, filters)
    result: PageOut[DocumentOut] = PageOut[DocumentOut].of(request, page, DocumentOut)
    return result


@router.get("/upload_limits/", response_model=UploadLimitsOut)
def upload_limits(course_id: UUID, user: CurrentUser, reads: Reads) -> UploadLimitsOut:
    """The largest file, the content types and the kinds of URL that can be added."""
    own_course(reads, user, course_id)
    return UploadLimitsOut(
        max_file_size_bytes=MAX_FILE_BYTES,
        max_file_size_mb=MAX_FILE_BYTES // (1024 * 1024),
        allowed_content_types=list(ALLOWED_CONTENT_TYPES),
        supported_url_types=URL_TYPES,
    )


def _estimate(document_type: str, size: int) -> int:
    return 1 + round(SECONDS_PER_MB.get(document_type, 2) * size / (1024 * 1024))


@router.post("/upload/", status_code=201, response_model=UploadOut)
def upload(
    course_id: UUID,
    user: CurrentUser,
    bus: Bus,
    reads: Reads,
    system: SystemDep,
    file: Annotated[UploadFile, File(description="The document, at most 50 MB.")],
    name: Annotated[str | None, Form(min_length=1, max_length=255)] = None,
    description: Annotated[str | None, Form(max_length=10_000)] = None,
    section_id: Annotated[UUID | None, Form()] = None,
) -> UploadOut:
    """Upload a file; it is processed after this answers (poll `processing_status/`)."""
    own_course(reads, user, course_id)
    content_type = resolve_type(file.content_type, file.filename)
    check_quota(reads, user, "documents", 1)
    blobs = _blobs(system)
    staged = blobs.stage(read_chunks(file.file), MAX_FILE_BYTES)
    try:
        if staged.size == 0:
            raise ValidationFailed.field("file", "The file is empty.")
        check_matches(content_type, staged.head, staged.path)
        check_quota(reads, user, "storage", staged.size)
    except DomainError:
        staged.discard()
        raise
    blob_key = blobs.commit(staged)
    document_type = DOCUMENT_TYPES[content_type]
    filename = PurePosixPath(file.filename).name if file.filename else None
    stem = PurePosixPath(filename).stem[:255] if filename else ""  # a name's longest
    accepted = bus.run(
        UploadDocument(
            owner_id=user,
            course_id=course_id,
            section_id=section_id,
            name=name or stem or "Untitled document",
            description=description,
            filename=filename,
            blob_key=blob_key,
            content_type=content_type,
            document_type=document_type,
            file_size_bytes=staged.size,
        )
    )
    return UploadOut(
        document=_document(reads, user, course_id, accepted.document_id),
        upload_status="success",
        processing_id=str(accepted.run_id),
        estimated_processing_time=_estimate(document_type, staged.size),
    )


@router.post("/upload_url/", status_code=201, response_model=UploadOut)
def upload_url(
    course_id: UUID, body: UrlImport, user: CurrentUser, bus: Bus, reads: Reads, system: SystemDep
) -> UploadOut:
    """Import a web page or file from a URL; it is fetched and processed after this answers."""
    own_course(reads, user, course_id)
    url = body.url.strip()
    _fetcher(system).validate(url)
    check_quota(reads, user, "documents", 1)
    accepted = bus.run(
        ImportDocument(
            owner_id=user,
            course_id=course_id,
            section_id=body.section_id,
            name=body.name or url[:255],
            description=body.description,
            url=url,
            url_type=url_type(url),
        )
    )
    return UploadOut(
        document=_document(reads, user, course_id, accepted.document_id),
        upload_status="success",
        processing_id=str(accepted.run_id),
        estimated_processing_time=5,
    )


@router.get("/search/", response_model=list[PassageOut])
def search(
    course_id: UUID,
    user: CurrentUser,
    reads: Reads,
    system: SystemDep,
    q_: Annotated[str, Query(alias="q", min_length=1, max_length=1000)],
    max_chunks: Annotated[int, Query(ge=1, le=50)] = 10,
    similarity_threshold: Annotated[float, Query(ge=0, le=1)] = 0.0,
) -> list[PassageOut]:
    """Passages of the course's processed documents that best match `q`, best first."""
    own_course(reads, user, course_id)
    retriever = system.services.retriever
    assert retriever is not None
    found = retriever.retrieve(
        user,
        q_,
        course_id=course_id,
        max_chunks=max_chunks,
        similarity_threshold=similarity_threshold,
    )
    return [PassageOut.model_validate(p, from_attributes=True) for p in found]


@router.get("/{document_id}/", response_model=DocumentOut)
def get_document(
    course_id: UUID, document_id: UUID, user: CurrentUser, reads: Reads
) -> DocumentOut:
    """Show one document."""
    return _document(reads, user, course_id, document_id)


@router.patch("/{document_id}/", response_model=DocumentOut)
def update_document(
    course_id: UUID,
    document_id: UUID,
    body: DocumentUpdate,
    user: CurrentUser,
    bus: Bus,
    reads: Reads,
) -> DocumentOut:
    """Change a document's name, description or section."""
    changes = body.model_dump(exclude_unset=True)
    if changes.get("name", "") is None:
        raise ValidationFailed.field("name", "The name cannot be empty.")
    bus.run(
        UpdateDocument(owner_id=user, course_id=course_id, document_id=document_id, changes=changes)
    )
    return _document(reads, user, course_id, document_id)


@router.delete("/{document_id}/", status_code=204, response_class=Response)
def delete_document(course_id: UUID, document_id: UUID, user: CurrentUser, bus: Bus) -> Response:
    """Delete a document and its extracted content."""
    bus.run(DeleteDocument(owner_id=user, course_id=course_id, document_id=document_id))
    return Response(status_code=204)


@router.get("/{document_id}/processing_status/", response_model=ProcessingStatusOut)
def processing_status(
    course_id: UUID, document_id: UUID, user: CurrentUser, reads: Reads
) -> ProcessingStatusOut:
    """Where processing stands: status, progress, and the error when it failed."""
    row = _document_row(reads, user, course_id, document_id)
    meta = dict(row["processing_metadata"] or {})
    completed = row["processing_status"] == "completed"
    return ProcessingStatusOut(
        document_id=document_id,
        processing_status=row["processing_status"],
        processing_error=row["processing_error"],
        progress_percentage=row["progress_percentage"],
        extracted_content_available=completed,
        processing_metadata=ProcessingMetadata(
            pages_processed=meta.get("pages_processed"),
            text_extracted=bool(meta.get("text_extracted")) and completed,
            embeddings_created=bool(meta.get("embeddings_created")) and completed,
            summary_generated=bool(meta.get("summary_generated")) and completed,
            stage=row["processing_stage"],
            chunk_count=row["chunk_count"],
        ),
    )


@router.get("/{document_id}/content/", response_model=ContentOut)
def content(course_id: UUID, document_id: UUID, user: CurrentUser, reads: Reads) -> ContentOut:
    """The extracted text, summary, topics, key concepts and sections (409 until completed)."""
    row = _document_row(reads, user, course_id, document_id)
    found = q.get_content(reads, user, document_id)
    if row["processing_status"] != "completed" or found is None:
        state = "failed" if row["processing_status"] == "failed" else "still being processed"
        raise InvalidState(f"The document's content is not available: processing {state}.")
    return ContentOut(
        document_id=document_id,
        extracted_text=found["extracted_text"],
        summary=found["summary"],
        topics=found["topics"],
        key_concepts=found["key_concepts"],
        sections=found["sections"],
        embeddings_available=True,
        chunk_count=found["chunk_count"],
    )


@router.post("/{document_id}/reprocess/", status_code=202, response_model=ReprocessOut)
def reprocess(course_id: UUID, document_id: UUID, user: CurrentUser, bus: Bus) -> ReprocessOut:
    """Process the document again (a run in progress is superseded)."""
    run_id = bus.run(ReprocessDocument(owner_id=user, course_id=course_id, document_id=document_id))
    return ReprocessOut(
        document_id=document_id, processing_status="processing", processing_id=str(run_id)
    )
