"""The passages of processed documents and their full-text index: the built-in retriever.

Chunks come from `Document.ProcessingCompleted` (offsets into its text). Each
gets an integer id from a counter row, so a rebuild gives the same ids. The
index lives in the database: on SQLite an FTS5 table kept by triggers (with the
owner as a token, so a search only walks the caller's postings); on PostgreSQL
a generated tsvector column with a GIN index. Scores are rank / (rank + 1).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from aksio.aggregates.documents.document import Document
from aksio.projections.documents.projection import documents
from aksio.projections.engine.base import Projection, Rows, handles
from aksio.projections.engine.db import metadata

ChunkId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # a rowid alias on SQLite

chunks = sa.Table(
    "rm_document_chunks",
    metadata,
    sa.Column("id", ChunkId, primary_key=True, autoincrement=False),
    sa.Column("document_id", sa.Uuid, nullable=False, index=True),
    sa.Column("owner_id", sa.Uuid, nullable=False, index=True),
    sa.Column("course_id", sa.Uuid, nullable=False),
    sa.Column("chunk_index", sa.Integer, nullable=False),
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("page", sa.Integer),
    sa.Column("section", sa.String),
    sa.Column("owner_key", sa.String, nullable=False),
)

chunk_sets = sa.Table(
    "rm_document_chunk_sets",
    metadata,
    sa.Column("document_id", sa.Uuid, primary_key=True),
    sa.Column("owner_id", sa.Uuid, nullable=False),
    sa.Column("course_id", sa.Uuid, nullable=False),
    sa.Column("first_id", sa.BigInteger, nullable=False),
    sa.Column("chunk_count", sa.Integer, nullable=False),
)

chunk_counter = sa.Table(
    "rm_document_chunk_counter",
    metadata,
    sa.Column("name", sa.String(20), primary_key=True),
    sa.Column("next_id", sa.BigInteger, nullable=False),
)

FTS = "rm_document_chunks_fts"
SQLITE_DDL = (
    f"CREATE VIRTUAL TABLE {FTS} USING fts5(content, owner_key, content='rm_document_chunks', "
    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER rm_document_chunks_ai AFTER INSERT ON rm_document_chunks BEGIN "
    f"INSERT INTO {FTS}(rowid, content, owner_key) "
    "VALUES (new.id, new.content, new.owner_key); END",
    f"CREATE TRIGGER rm_document_chunks_ad AFTER DELETE ON rm_document_chunks BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, content, owner_key) "
    f"VALUES ('delete', old.id, old.content, old.owner_key); END",
    f"CREATE TRIGGER rm_document_chunks_au AFTER UPDATE ON rm_document_chunks BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, content, owner_key) "
    f"VALUES ('delete', old.id, old.content, old.owner_key); "
    f"INSERT INTO {FTS}(rowid, content, owner_key) "
    "VALUES (new.id, new.content, new.owner_key); END",
)
POSTGRES_DDL = (
    "ALTER TABLE rm_document_chunks ADD COLUMN search tsvector GENERATED ALWAYS AS "
    "(setweight(to_tsvector('english', content), 'A')) STORED",
    "CREATE INDEX ix_rm_document_chunks_search ON rm_document_chunks USING GIN (search)",
)


def _ddl(when: str, dialect: str, *statements: str) -> None:
    for statement in statements:
        ddl = sa.DDL(statement)  # type: ignore[no-untyped-call]
        sa.event.listen(chunks, when, ddl.execute_if(dialect=dialect))


_ddl("after_create", "sqlite", *SQLITE_DDL)
_ddl("after_create", "postgresql", *POSTGRES_DDL)
_ddl("before_drop", "sqlite", f"DROP TABLE IF EXISTS {FTS}")


def owner_key(owner_id: UUID) -> str:
    """The owner as one all-digit token, which no stemmer alters."""
    return str(owner_id.int)


class DocumentChunksProjection(Projection):
    name = "documents_chunks"
    tables = (chunks, chunk_sets, chunk_counter)

    @handles(Document.Created)
    def created(self, e: Document.Created, rows: Rows) -> None:
        rows.put(
            chunk_sets,
            {
                "document_id": e.originator_id,
                "owner_id": e.owner_id,
                "course_id": e.course_id,
                "first_id": 0,
                "chunk_count": 0,
            },
        )

    @handles(Document.ProcessingCompleted)
    def completed(self, e: Document.ProcessingCompleted, rows: Rows) -> None:
        chunk_set = self._clear(e.originator_id, rows)
        if chunk_set is None:
            return
        counter = rows.get(chunk_counter, "chunks") or {"name": "chunks", "next_id": 1}
        first = int(counter["next_id"])
        key = owner_key(chunk_set["owner_id"])
        for offset, item in enumerate(e.chunks):
            rows.put(
                chunks,
                {
                    "id": first + offset,
                    "document_id": e.originator_id,
                    "owner_id": chunk_set["owner_id"],
                    "course_id": chunk_set["course_id"],
                    "chunk_index": item.get("index", offset),
                    "content": e.extracted_text[item["start"] : item["end"]],
                    "page": item.get("page"),
                    "section": item.get("section"),
                    "owner_key": key,
                },
            )
        rows.put(chunk_counter, {"name": "chunks", "next_id": first + len(e.chunks)})
        rows.put(chunk_sets, {**chunk_set, "first_id": first, "chunk_count": len(e.chunks)})

    @handles(Document.Deleted)
    def deleted(self, e: Document.Deleted, rows: Rows) -> None:
        if self._clear(e.originator_id, rows) is not None:
            rows.delete(chunk_sets, e.originator_id)

    def _clear(self, document_id: UUID, rows: Rows) -> dict[str, Any] | None:
        chunk_set = rows.get(chunk_sets, document_id)
        if chunk_set is not None:
            first = int(chunk_set["first_id"])
            for chunk_id in range(first, first + int(chunk_set["chunk_count"])):
                rows.delete(chunks, chunk_id)
        return chunk_set


# -- queries -------------------------------------------------------------------------
@dataclass(frozen=True)
class Passage:
    document_id: UUID
    document_name: str | None
    chunk_index: int
    text: str
    page: int | None
    section: str | None
    score: float


TERM = re.compile(r"[^\W_]+")
MAX_TERMS = 32
CANDIDATES = 40
STOP = frozenset(
    """a an and are as at be by can could did do does for from had has have how i in is it
    its me my of on or should that the their there this to was we were what when where which
    who why will with would you your""".split()  # noqa: SIM905
)


def query_terms(query: str) -> list[str]:
    terms = list(dict.fromkeys(t.lower() for t in TERM.findall(query)))
    meaningful = [t for t in terms if t not in STOP]
    return (meaningful or terms)[:MAX_TERMS]


def _select(score: Any) -> sa.Select[Any]:
    return sa.select(
        chunks.c.document_id,
        documents.c.name,
        chunks.c.chunk_index,
        chunks.c.content,
        chunks.c.page,
        chunks.c.section,
        score.label("score"),
    ).select_from(chunks.outerjoin(documents, documents.c.id == chunks.c.document_id))


def _ranked(conn: Connection, owner_id: UUID, terms: list[str]) -> sa.Select[Any]:
    if conn.dialect.name == "postgresql":
        english: sa.ColumnElement[Any] = sa.literal_column("'english'::regconfig")
        tsquery = sa.func.to_tsquery(english, sa.cast(" | ".join(terms), sa.Text))
        search: sa.ColumnElement[Any] = sa.literal_column("rm_document_chunks.search")
        rank = sa.func.ts_rank(search, tsquery, 32)
        return _select(rank).where(chunks.c.owner_id == owner_id, search.bool_op("@@")(tsquery))
    fts = sa.table(FTS, sa.column("rowid"))
    phrases = " OR ".join(f'"{t}"' for t in terms)
    match = f'owner_key : "{owner_key(owner_id)}" AND content : ({phrases})'
    raw = -sa.func.bm25(sa.literal_column(FTS), 1.0, 0.0)
    return (
        _select(raw / (raw + 1.0))
        .join(fts, fts.c.rowid == chunks.c.id)
        .where(sa.literal_column(FTS).op("MATCH")(match))
    )


def _stem(word: str) -> str:
    """A light English stem, enough to match "moves" with "move" and "energies" with "energy"."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    for suffix in ("ations", "ation", "ings", "ing", "edly", "ed", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


def coverage(terms: list[str], text: str) -> float:
    """The share of query terms the passage contains (by a light stem), 0..1."""
    words = {_stem(w.lower()) for w in TERM.findall(text)}
    return sum(_stem(t) in words for t in terms) / len(terms) if terms else 0.0


def search_chunks(
    conn: Connection,
    owner_id: UUID,
    query: str,
    document_ids: Sequence[UUID] | None = None,
    course_id: UUID | None = None,
    max_chunks: int = 10,
    similarity_threshold: float = 0.0,
) -> list[Passage]:
    """The owner's passages best matching `query`, best first.

    The database ranks candidates; each one's score (0..1) is 0.7 x the share of
    query terms it contains + 0.3 x the database rank mapped to rank / (rank + 1).
    """
    terms = query_terms(query)
    if not terms or max_chunks <= 0 or (document_ids is not None and not document_ids):
        return []
    statement = _ranked(conn, owner_id, terms)
    if document_ids is not None:
        statement = statement.where(chunks.c.document_id.in_(list(document_ids)))
    if course_id is not None:
        statement = statement.where(chunks.c.course_id == course_id)
    pool = max(CANDIDATES, 4 * max_chunks)
    statement = statement.order_by(sa.desc("score"), chunks.c.id).limit(pool)
    found = []
    for row in conn.execute(statement).mappings():
        score = 0.7 * coverage(terms, row["content"]) + 0.3 * float(row["score"])
        found.append(_passage(row, score))
    found.sort(key=lambda p: -p.score)
    return [p for p in found if p.score >= similarity_threshold][:max_chunks]


def document_passages(
    conn: Connection, owner_id: UUID, document_ids: Sequence[UUID]
) -> list[Passage]:
    """Every passage of the owner's given documents, in document order (score 1.0)."""
    statement = (
        _select(sa.literal(1.0))
        .where(chunks.c.owner_id == owner_id, chunks.c.document_id.in_(list(document_ids)))
        .order_by(chunks.c.document_id, chunks.c.chunk_index)
    )
    return [_passage(row) for row in conn.execute(statement).mappings()]


def _passage(row: Any, score: float | None = None) -> Passage:
    return Passage(
        document_id=row["document_id"],
        document_name=row["name"],
        chunk_index=int(row["chunk_index"]),
        text=row["content"],
        page=row["page"],
        section=row["section"],
        score=round(float(row["score"] if score is None else score), 4),
    )
