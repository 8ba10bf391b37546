"""Retrieval over the chunks read model: ranking, filters, isolation, rebuild, usage."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from fastapi.testclient import TestClient

from aksio.bootstrap import System
from aksio.projections.documents.chunks import (
    chunk_counter,
    chunk_sets,
    chunks,
    document_passages,
    search_chunks,
)
from aksio.projections.documents.projection import contents, document_usage, documents
from aksio.projections.engine.base import Projection
from tests.documents.conftest import Headers, Upload
from tests.documents.files import pdf_bytes

Status = Callable[[str], dict[str, Any]]
OSMOSIS = (
    b"Osmosis moves water across a semipermeable membrane towards higher solute concentration."
)
ENZYMES = b"Enzymes are proteins that lower the activation energy of chemical reactions."


def user_of(system: System, headers: Headers) -> UUID:
    return system.tokens.user_of_access(headers["Authorization"].split()[1])


def test_search_ranks_the_callers_passages_only(
    client: TestClient,
    auth: Headers,
    course: str,
    upload: Upload,
    system: System,
    make_user: Callable[[], Headers],
) -> None:
    osmosis = upload("osmosis.txt", OSMOSIS, "text/plain")["document"]["id"]
    upload("enzymes.txt", ENZYMES, "text/plain")
    other = make_user()
    theirs = client.post("/api/v1/courses/", json={"name": "Theirs"}, headers=other).json()["id"]
    client.post(
        f"/api/v1/courses/{theirs}/documents/upload/",
        files={"file": ("x.txt", OSMOSIS + b" Osmosis osmosis water membrane.", "text/plain")},
        headers=other,
    )
    system.drain()
    owner = user_of(system, auth)
    with system.engine.connect() as conn:
        found = search_chunks(conn, owner, "How does osmosis move water?")
        assert [str(p.document_id) for p in found] == [osmosis]
        assert found[0].document_name == "osmosis" and found[0].section is None
        assert 0.7 <= found[0].score <= 1.0
        both = search_chunks(conn, owner, "water enzymes")
        assert len(both) == 2 and both[0].score >= both[1].score
        assert all(0 <= p.score <= 1 for p in both)
        assert len(search_chunks(conn, owner, "water enzymes", max_chunks=1)) == 1
        assert search_chunks(conn, owner, "water enzymes", similarity_threshold=0.9) == []
        only = search_chunks(conn, owner, "water enzymes", document_ids=[UUID(osmosis)])
        assert [str(p.document_id) for p in only] == [osmosis]
        assert search_chunks(conn, owner, "water", course_id=UUID(theirs)) == []
        assert search_chunks(conn, owner, "?!") == []
    api = client.get(f"/api/v1/courses/{course}/documents/search/?q=osmosis", headers=auth).json()
    assert [p["document_id"] for p in api] == [osmosis]


def test_passages_keep_their_pages(system: System, auth: Headers, upload: Upload) -> None:
    document = upload("notes.pdf", pdf_bytes(3), "application/pdf")["document"]["id"]
    system.drain()
    owner = user_of(system, auth)
    with system.engine.connect() as conn:
        found = search_chunks(conn, owner, "Page 2 biology notes")
        assert found[0].page == 2 and found[0].section == "Chapter 2"
        passages = document_passages(conn, owner, [UUID(document)])
        assert [p.page for p in passages] == [1, 2, 3]
        assert document_passages(conn, UUID(int=1), [UUID(document)]) == []


def test_deleting_or_reprocessing_replaces_the_passages(
    client: TestClient, auth: Headers, course: str, upload: Upload, system: System
) -> None:
    document = upload("a.txt", OSMOSIS, "text/plain")["document"]["id"]
    system.drain()
    client.post(f"/api/v1/courses/{course}/documents/{document}/reprocess/", headers=auth)
    system.drain()
    owner = user_of(system, auth)
    with system.engine.connect() as conn:
        assert len(search_chunks(conn, owner, "osmosis")) == 1
        assert conn.execute(sa.select(sa.func.count()).select_from(chunks)).scalar() == 1
    client.delete(f"/api/v1/courses/{course}/documents/{document}/", headers=auth)
    assert system.caught_up()
    with system.engine.connect() as conn:
        assert search_chunks(conn, owner, "osmosis") == []
        assert conn.execute(sa.select(sa.func.count()).select_from(chunks)).scalar() == 0


def test_usage_counts_documents_and_bytes(
    client: TestClient, auth: Headers, course: str, upload: Upload, system: System
) -> None:
    first = upload("a.txt", OSMOSIS, "text/plain")["document"]["id"]
    upload("b.txt", ENZYMES, "text/plain")
    owner = user_of(system, auth)
    with system.engine.connect() as conn:
        assert document_usage(conn, owner) == (2, len(OSMOSIS) + len(ENZYMES))
        assert document_usage(conn, UUID(int=7)) == (0, 0)
    client.delete(f"/api/v1/courses/{course}/documents/{first}/", headers=auth)
    assert system.caught_up()
    with system.engine.connect() as conn:
        assert document_usage(conn, owner) == (1, len(ENZYMES))


def snapshot(system: System, owner: UUID) -> dict[str, Any]:
    tables = (documents, contents, chunks, chunk_sets, chunk_counter)
    with system.engine.connect() as conn:
        rows = {
            t.name: sorted(
                (tuple(str(v) for v in row) for row in conn.execute(sa.select(t))), key=str
            )
            for t in tables
        }
        rows["search"] = [repr(p) for p in search_chunks(conn, owner, "osmosis energy page")]
    return rows


def test_rebuilt_read_models_answer_as_before(
    client: TestClient, auth: Headers, course: str, upload: Upload, system: System
) -> None:
    kept = upload("a.txt", OSMOSIS, "text/plain")["document"]["id"]
    gone = upload("b.txt", ENZYMES, "text/plain")["document"]["id"]
    upload("c.pdf", pdf_bytes(3), "application/pdf")
    upload("d.pdf", b"%PDF-1.4 broken", "application/pdf")
    system.drain()
    client.post(f"/api/v1/courses/{course}/documents/{kept}/reprocess/", headers=auth)
    client.patch(f"/api/v1/courses/{course}/documents/{kept}/", json={"name": "O"}, headers=auth)
    client.delete(f"/api/v1/courses/{course}/documents/{gone}/", headers=auth)
    system.drain()
    owner = user_of(system, auth)
    before = snapshot(system, owner)
    assert len(before["rm_document_chunks"]) == 4 and len(before["search"]) == 4
    mine: list[Projection] = [
        p for p in system.projections if p.name in ("documents", "documents_chunks")
    ]
    system.runner.rebuild(mine)
    assert snapshot(system, owner) == before
