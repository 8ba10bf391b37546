"""Documents: PDF pages processed per second, and retrieval latency over 100,000 chunks.

Run: `.venv/bin/python -m benchmarks.bench_documents [--pages 200] [--queries 1000]`.
PDF throughput is measured twice: extraction and analysis alone (what the reactor does
per document), and end to end through the system on SQLite (upload command, reactor,
events, projections). Retrieval runs `search_chunks` for random users with three-word
queries over 1,000 users x 100 chunks, on SQLite (FTS5) and PostgreSQL (tsvector + GIN);
the chunks are written straight into the chunks read model, as its projection would,
and the tables are analysed afterwards (as autovacuum would after such a bulk load).
"""

from __future__ import annotations

import argparse
import itertools
import random
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from aksio.bootstrap import build, migrate
from aksio.commands.courses import CreateCourse
from aksio.commands.documents import UploadDocument
from aksio.integrations.blobs import FileBlobStore
from aksio.integrations.extraction import extract
from aksio.integrations.extraction.analysis import analyse
from aksio.projections.documents.chunks import chunks, owner_key, search_chunks
from aksio.projections.documents.projection import documents
from aksio.projections.engine.db import make_engine
from aksio.settings import Settings
from benchmarks.common import SECRET, backend_database, percentile, table, verdict
from tests.documents.files import pdf_bytes

USERS, CHUNKS_PER_USER, DOCUMENTS_PER_USER = 1_000, 100, 10
PAGES_BUDGET = 100.0  # pages per second, extraction and analysis
P99_BUDGET_MS = 50.0
RNG = random.Random(7)
VOCABULARY = [
    "".join(RNG.choice("bcdfghklmnprstvz") + RNG.choice("aeiou") for _ in range(RNG.randint(2, 4)))
    for _ in range(5_000)
]
CUMULATIVE = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(VOCABULARY))))


def settings_for(folder: Path, url: str | None) -> Settings:
    return Settings(data_dir=folder, database_url=url, secret_key=SECRET)


def pdf_extraction(pages: int, runs: int = 3) -> float:
    """Pages per second of extraction plus analysis of one `pages`-page PDF (best of runs)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.pdf"
        path.write_bytes(pdf_bytes(pages))
        best = float("inf")
        for _ in range(runs):
            began = time.perf_counter()
            analyse(extract(path, "application/pdf", lambda _done: None))
            best = min(best, time.perf_counter() - began)
    return pages / best


def pdf_end_to_end(pages: int, documents_count: int = 3) -> float:
    """Pages per second from upload command to `completed`, through the reactor on SQLite."""
    with tempfile.TemporaryDirectory() as folder:
        settings = settings_for(Path(folder), None)
        migrate(settings)
        system = build(settings, start_threads=False)
        try:
            owner = uuid.uuid4()
            course = system.bus.dispatch(CreateCourse(owner_id=owner, fields={"name": "B"})).value
            blobs = FileBlobStore(settings.data_dir / "blobs")
            system.drain()
            began = time.perf_counter()
            for n in range(documents_count):
                data = pdf_bytes(pages, lines=[f"Document {n} line {i}" for i in range(20)])
                staged = blobs.stage(iter([data]), len(data))
                system.bus.dispatch(
                    UploadDocument(
                        owner_id=owner,
                        course_id=course,
                        name=f"D{n}",
                        filename="d.pdf",
                        blob_key=blobs.commit(staged),
                        content_type="application/pdf",
                        document_type="pdf",
                        file_size_bytes=staged.size,
                    )
                )
            system.drain()
            elapsed = time.perf_counter() - began
        finally:
            system.close()
    return pages * documents_count / elapsed


def sentence(words: int) -> str:
    return " ".join(RNG.choices(VOCABULARY, cum_weights=CUMULATIVE, k=words)).capitalize() + "."


def fill(engine: sa.engine.Engine) -> list[uuid.UUID]:
    """1,000 users x 10 documents x 10 chunks of ~60 words, written in batches."""
    users = [uuid.uuid4() for _ in range(USERS)]
    now = datetime.now(UTC)
    chunk_id = 0
    with engine.begin() as conn:
        for owner in users:
            course = uuid.uuid4()
            doc_rows: list[dict[str, Any]] = []
            chunk_rows: list[dict[str, Any]] = []
            for d in range(DOCUMENTS_PER_USER):
                document = uuid.uuid4()
                doc_rows.append(_document_row(document, owner, course, d, now))
                for index in range(CHUNKS_PER_USER // DOCUMENTS_PER_USER):
                    chunk_id += 1
                    chunk_rows.append(
                        {
                            "id": chunk_id,
                            "document_id": document,
                            "owner_id": owner,
                            "course_id": course,
                            "chunk_index": index,
                            "content": " ".join(sentence(12) for _ in range(5)),
                            "page": index + 1,
                            "section": None,
                            "owner_key": owner_key(owner),
                        }
                    )
            conn.execute(documents.insert(), doc_rows)
            conn.execute(chunks.insert(), chunk_rows)
    return users


def _document_row(
    document: uuid.UUID, owner: uuid.UUID, course: uuid.UUID, n: int, now: datetime
) -> dict[str, Any]:
    return {
        "id": document,
        "owner_id": owner,
        "course_id": course,
        "name": f"Document {n}",
        "source_type": "upload",
        "document_type": "pdf",
        "file_size_bytes": 1000,
        "processing_status": "completed",
        "progress_percentage": 100,
        "processing_metadata": {},
        "chunk_count": CHUNKS_PER_USER // DOCUMENTS_PER_USER,
        "created_at": now,
        "updated_at": now,
    }


def retrieval(url: str | None, queries: int) -> list[object]:
    with tempfile.TemporaryDirectory() as folder:
        settings = settings_for(Path(folder), url)
        migrate(settings)
        engine = make_engine(settings)
        try:
            began = time.perf_counter()
            users = fill(engine)
            with engine.begin() as conn:
                conn.execute(sa.text("ANALYZE"))  # as autovacuum would after a bulk load
            setup = time.perf_counter() - began
            latencies, hits = [], 0
            with engine.connect() as conn:
                for _ in range(queries):
                    query = " ".join(RNG.choices(VOCABULARY[:500], k=3))
                    start = time.perf_counter()
                    found = search_chunks(conn, RNG.choice(users), query, max_chunks=10)
                    latencies.append(time.perf_counter() - start)
                    hits += bool(found)
        finally:
            engine.dispose()
    p50, p99 = percentile(latencies, 50) * 1000, percentile(latencies, 99) * 1000
    name = "postgresql" if url else "sqlite"
    return [
        name,
        USERS * CHUNKS_PER_USER,
        setup,
        queries,
        hits,
        p50,
        p99,
        verdict(p99 < P99_BUDGET_MS),
    ]


def main() -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--pages", type=int, default=200, help="pages of the PDF")
    args.add_argument("--queries", type=int, default=1000, help="retrieval queries per backend")
    options = args.parse_args()
    alone = pdf_extraction(options.pages)
    through = pdf_end_to_end(options.pages // 2)
    half = options.pages // 2
    print(f"PDF processing ({options.pages}-page PDF; end to end: 3 PDFs of {half} pages)")
    print(
        table(
            ["measure", "pages/s", "budget", "verdict"],
            [
                ["extraction + analysis", alone, PAGES_BUDGET, verdict(alone >= PAGES_BUDGET)],
                ["upload -> completed (SQLite)", through, "-", "-"],
            ],
        )
    )
    rows = []
    for name in ("sqlite", "postgresql"):
        with backend_database(name) as url:
            rows.append(retrieval(url, options.queries))
    print(
        f"\nRetrieval: search_chunks, 3-word queries, max_chunks 10 (p99 budget {P99_BUDGET_MS} ms)"
    )
    headers = [
        "backend",
        "chunks",
        "setup s",
        "queries",
        "with hits",
        "p50 ms",
        "p99 ms",
        "verdict",
    ]
    print(table(headers, rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
