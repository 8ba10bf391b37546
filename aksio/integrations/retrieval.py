"""The retriever port: passages of a user's documents that answer a query.

`BuiltinRetriever` asks the database's full-text index (the chunks read model).
`RemoteRetriever` hands each processed document to the retrieval service
(`POST /api/documents/`) and asks its `POST /api/context/retrieve` with
`{"document_ids", "query", "max_chunks", "similarity_threshold"}`; only passages
of the caller's own documents are ever returned, whatever the service answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol
from uuid import UUID

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from aksio.core.errors import ServiceUnavailable
from aksio.projections.documents.chunks import Passage, search_chunks
from aksio.projections.documents.projection import documents

__all__ = ["BuiltinRetriever", "IndexedDocument", "Passage", "RemoteRetriever", "Retriever"]


@dataclass(frozen=True)
class IndexedDocument:
    document_id: UUID
    owner_id: UUID
    course_id: UUID
    name: str
    content_type: str | None
    text: str
    chunks: list[dict[str, Any]] = field(default_factory=list)  # index, content, page, section


class Retriever(Protocol):
    def index(self, document: IndexedDocument) -> None: ...
    def forget(self, document_id: UUID) -> None: ...
    def retrieve(
        self,
        owner_id: UUID,
        query: str,
        *,
        document_ids: Sequence[UUID] | None = None,
        course_id: UUID | None = None,
        max_chunks: int = 10,
        similarity_threshold: float = 0.0,
    ) -> list[Passage]: ...


class BuiltinRetriever:
    """Full-text ranking inside the database; indexing follows the event log by itself."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def index(self, document: IndexedDocument) -> None:
        return None

    def forget(self, document_id: UUID) -> None:
        return None

    def retrieve(
        self,
        owner_id: UUID,
        query: str,
        *,
        document_ids: Sequence[UUID] | None = None,
        course_id: UUID | None = None,
        max_chunks: int = 10,
        similarity_threshold: float = 0.0,
    ) -> list[Passage]:
        with self.engine.connect() as conn:
            return search_chunks(
                conn, owner_id, query, document_ids, course_id, max_chunks, similarity_threshold
            )


class RemoteRetriever:
    """The retrieval service of `AKSIO_RETRIEVER_SERVICE_URL`."""

    def __init__(self, base_url: str, engine: Engine, timeout: float = 15.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.engine = engine
        self.timeout = timeout

    def _call(self, method: str, path: str, body: Any = None) -> httpx.Response:
        try:
            response = httpx.request(
                method, f"{self.base_url}{path}", json=body, timeout=self.timeout
            )
        except httpx.HTTPError:
            raise ServiceUnavailable("The retrieval service is unavailable.") from None
        if response.status_code >= 500 or response.status_code in (401, 403):
            raise ServiceUnavailable(
                f"The retrieval service answered {response.status_code}.",
            )
        return response

    def index(self, document: IndexedDocument) -> None:
        body = {k: str(v) if isinstance(v, UUID) else v for k, v in asdict(document).items()}
        response = self._call("POST", "/api/documents/", body)
        if response.status_code >= 400:
            raise ServiceUnavailable(
                f"The retrieval service refused the document ({response.status_code})."
            )

    def forget(self, document_id: UUID) -> None:
        self._call("DELETE", f"/api/documents/{document_id}/")

    def _allowed(
        self, owner_id: UUID, document_ids: Sequence[UUID] | None, course_id: UUID | None
    ) -> dict[UUID, str]:
        query = sa.select(documents.c.id, documents.c.name).where(
            documents.c.owner_id == owner_id, documents.c.processing_status == "completed"
        )
        if document_ids is not None:
            query = query.where(documents.c.id.in_(list(document_ids)))
        if course_id is not None:
            query = query.where(documents.c.course_id == course_id)
        with self.engine.connect() as conn:
            return {row[0]: row[1] for row in conn.execute(query)}

    def retrieve(
        self,
        owner_id: UUID,
        query: str,
        *,
        document_ids: Sequence[UUID] | None = None,
        course_id: UUID | None = None,
        max_chunks: int = 10,
        similarity_threshold: float = 0.0,
    ) -> list[Passage]:
        allowed = self._allowed(owner_id, document_ids, course_id)
        if not allowed or max_chunks <= 0 or not query.strip():
            return []
        body = {
            "document_ids": sorted(str(d) for d in allowed),
            "query": query,
            "max_chunks": max_chunks,
            "similarity_threshold": similarity_threshold,
        }
        response = self._call("POST", "/api/context/retrieve", body)
        if response.status_code >= 400:
            raise ServiceUnavailable(f"The retrieval service answered {response.status_code}.")
        passages = [p for p in _passages(response, allowed) if p.score >= similarity_threshold]
        passages.sort(key=lambda p: -p.score)
        return passages[:max_chunks]


def _items(data: Any) -> list[Any]:
    if isinstance(data, dict):
        for key in ("chunks", "results", "context", "passages"):
            if isinstance(data.get(key), list):
                return list(data[key])
        return []
    return list(data) if isinstance(data, list) else []


def _passages(response: httpx.Response, allowed: dict[UUID, str]) -> list[Passage]:
    """The service's passages of allowed documents; anything unreadable is left out."""
    try:
        items = _items(response.json())
    except ValueError:
        raise ServiceUnavailable(
            "The retrieval service gave an answer that could not be read."
        ) from None
    passages = []
    for item in items:
        try:
            document_id = UUID(str(item["document_id"]))
            text = str(item.get("text") or item.get("content") or "")
            score = float(item.get("score", item.get("similarity", 0.0)))
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
        if document_id not in allowed or not text:
            continue
        page = item.get("page")
        passages.append(
            Passage(
                document_id=document_id,
                document_name=allowed[document_id],
                chunk_index=int(item.get("chunk_index") or 0),
                text=text,
                page=int(page) if isinstance(page, int) else None,
                section=item.get("section") or item.get("section_title"),
                score=max(0.0, min(1.0, score)),
            )
        )
    return passages
