"""The flashcard review as a plain CRUD service: the yardstick `bench_reviews --versus-crud`
holds Aksio against. Not part of the product.

The same stack as `aksio serve` (uvicorn with uvloop and httptools, FastAPI, a pydantic body,
a JWT bearer token, a psycopg pool) and the same SM-2, in one transaction: SELECT the card FOR
UPDATE, schedule in Python, UPDATE the card, INSERT the review, COMMIT, answer the new schedule.
No event log, no audit, no projections, no read-your-writes wait: what a CRUD service does.

Run: `CRUD_DATABASE_URL=... CRUD_SECRET=... uvicorn benchmarks.crud_reviews:app --loop uvloop
--http httptools`; `create_schema(url)` and `load(url, cards)` prepare its database.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Annotated

import jwt
import psycopg
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from psycopg_pool import ConnectionPool
from pydantic import BaseModel, Field

from aksio.aggregates.flashcards import sm2

SCHEMA = """
CREATE TABLE cards (
    id uuid PRIMARY KEY,
    owner_id uuid NOT NULL,
    interval_days integer NOT NULL DEFAULT 0,
    ease_factor double precision NOT NULL DEFAULT 2.5,
    repetitions integer NOT NULL DEFAULT 0,
    review_count integer NOT NULL DEFAULT 0,
    last_reviewed timestamptz,
    next_review timestamptz NOT NULL
);
CREATE INDEX cards_owner_due ON cards (owner_id, next_review);
CREATE TABLE reviews (
    id uuid PRIMARY KEY,
    card_id uuid NOT NULL REFERENCES cards (id),
    quality integer NOT NULL,
    duration_ms integer,
    reviewed_at timestamptz NOT NULL,
    interval_before integer NOT NULL,
    interval_after integer NOT NULL,
    ease_before double precision NOT NULL,
    ease_after double precision NOT NULL
);
CREATE INDEX reviews_card ON reviews (card_id, reviewed_at);
"""


class ReviewBody(BaseModel):
    quality_response: int = Field(ge=0, le=5)
    response_time_seconds: float | None = Field(default=None, ge=0)


class Schedule(BaseModel):
    id: uuid.UUID
    interval_days: int
    ease_factor: float
    repetitions: int
    review_count: int
    next_review: datetime
    review_id: uuid.UUID


def create_schema(url: str) -> None:
    with psycopg.connect(url) as conn:
        conn.execute(SCHEMA)


def load(url: str, cards: Iterable[tuple[uuid.UUID, uuid.UUID]]) -> None:
    """Inserts (card id, owner id) pairs, each due now, and gathers planner statistics."""
    now = datetime.now(UTC)
    statement = "COPY cards (id, owner_id, next_review) FROM STDIN"
    with psycopg.connect(url) as conn, conn.cursor().copy(statement) as copy:
        for card, owner in cards:
            copy.write_row((card, owner, now))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    pool = ConnectionPool(os.environ["CRUD_DATABASE_URL"], min_size=10, max_size=10, open=False)
    pool.open(wait=True)
    app.state.pool = pool
    try:
        yield
    finally:
        pool.close()


app = FastAPI(lifespan=lifespan)
bearer = HTTPBearer()


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


def current_user(
    credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer)],
) -> uuid.UUID:
    try:
        claims = jwt.decode(
            credentials.credentials,
            os.environ["CRUD_SECRET"],
            algorithms=["HS256"],
            options={"require": ["exp", "sub"]},
        )
        if claims.get("type") != "access":
            raise ValueError("not an access token")
        return uuid.UUID(claims["sub"])
    except (jwt.PyJWTError, ValueError, KeyError):
        raise HTTPException(401, "Token is invalid or expired.") from None


@app.post("/api/v1/assessments/flashcards/{card_id}/review/")
def review(
    card_id: uuid.UUID,
    body: ReviewBody,
    user: Annotated[uuid.UUID, Depends(current_user)],
    request: Request,
) -> Schedule:
    pool: ConnectionPool = request.app.state.pool
    seconds = body.response_time_seconds
    with pool.connection() as conn, conn.transaction():
        row = conn.execute(
            "SELECT interval_days, ease_factor, repetitions, review_count, last_reviewed"
            " FROM cards WHERE id = %s AND owner_id = %s FOR UPDATE",
            (card_id, user),
        ).fetchone()
        if row is None:
            raise HTTPException(404, "Flashcard not found.")
        interval, ease, repetitions, count, last = row
        now = datetime.now(UTC)
        before = sm2.Sm2State(interval, ease, repetitions)
        after = before if sm2.is_drill(last, now) else sm2.review(before, body.quality_response)
        due = now + timedelta(days=after.interval_days)
        review_id = uuid.uuid4()
        conn.execute(
            "UPDATE cards SET interval_days = %s, ease_factor = %s, repetitions = %s,"
            " review_count = review_count + 1, last_reviewed = %s, next_review = %s"
            " WHERE id = %s",
            (after.interval_days, after.ease_factor, after.repetitions, now, due, card_id),
        )
        conn.execute(
            "INSERT INTO reviews VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                review_id,
                card_id,
                body.quality_response,
                round(seconds * 1000) if seconds is not None else None,
                now,
                before.interval_days,
                after.interval_days,
                before.ease_factor,
                after.ease_factor,
            ),
        )
    return Schedule(
        id=card_id,
        interval_days=after.interval_days,
        ease_factor=after.ease_factor,
        repetitions=after.repetitions,
        review_count=count + 1,
        next_review=due,
        review_id=review_id,
    )
