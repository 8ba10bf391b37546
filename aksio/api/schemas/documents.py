"""Document schemas: the resource, upload answers, processing status, content, limits."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import MISSING, BaseModel, Field

from aksio.api.schemas.common import Id, Strict

ProcessingStatus = Literal["processing", "completed", "failed"]
DocumentType = Literal["pdf", "docx", "text", "markdown", "html", "image", "url"]


class DocumentOut(BaseModel):
    id: UUID
    course_id: UUID
    section_id: UUID | None
    name: str
    description: str | None
    document_type: str = Field(
        description="pdf, docx, text, markdown, html or image; `url` until an import is fetched."
    )
    content_type: str | None
    file_size_bytes: int
    original_filename: str | None
    source_type: Literal["upload", "url"]
    source_url: str | None
    url_type: str | None
    processing_status: ProcessingStatus
    processing_error: str | None
    progress_percentage: int
    processing_id: UUID | None
    chunk_count: int
    processed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class UploadOut(BaseModel):
    document: DocumentOut
    upload_status: Literal["success"]
    processing_id: str
    estimated_processing_time: int = Field(description="Seconds, a rough estimate.")


class UrlImport(Strict):
    url: str = Field(min_length=1, max_length=2048)
    name: str | None = Field(
        default=None, min_length=1, max_length=255, description="null: named from the URL."
    )
    description: str | None = Field(default=None, max_length=10_000)
    section_id: Id | None = None


class DocumentUpdate(Strict):
    """Fields left out stay; null clears the description or the section."""

    name: str | MISSING = Field(default=MISSING, min_length=1, max_length=255)
    description: str | MISSING | None = Field(default=MISSING, max_length=10_000)
    section_id: Id | MISSING | None = MISSING


class ProcessingMetadata(BaseModel):
    pages_processed: int | None = None
    text_extracted: bool = False
    embeddings_created: bool = Field(
        default=False,
        description="True once the passages are indexed for retrieval (the built-in "
        "full-text index, or the retrieval service when one is configured).",
    )
    summary_generated: bool = False
    stage: str | None = None
    chunk_count: int = 0


class ProcessingStatusOut(BaseModel):
    document_id: UUID
    processing_status: ProcessingStatus
    processing_error: str | None
    progress_percentage: int
    extracted_content_available: bool
    processing_metadata: ProcessingMetadata


class SectionContent(BaseModel):
    title: str
    content: str
    page: int | None = None


class ContentOut(BaseModel):
    document_id: UUID
    extracted_text: str
    summary: str
    topics: list[str]
    key_concepts: list[str]
    sections: list[SectionContent]
    embeddings_available: bool
    chunk_count: int


class ReprocessOut(BaseModel):
    document_id: UUID
    processing_status: ProcessingStatus
    processing_id: str


class UploadLimitsOut(BaseModel):
    max_file_size_bytes: int
    max_file_size_mb: int
    allowed_content_types: list[str]
    supported_url_types: list[str]


class PassageOut(BaseModel):
    document_id: UUID
    document_name: str | None
    chunk_index: int
    text: str
    page: int | None
    section: str | None
    score: float = Field(ge=0, le=1)
