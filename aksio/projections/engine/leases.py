"""Fencing: a batch commits only while its writer still owns the projection or reactor.

The locks (`locks`) say who should run a projection, but a lock held on a
connection that died (a network blip, an idle-session timeout, a failover)
is free for a standby while the old owner, not yet aware, keeps writing. So
each claim also takes a lease: the claimant writes its own token into the
lease row (before it reads where to start), and every batch's tracked
position is written only where the lease still holds the writer's token,
in the same transaction as the batch's rows. On PostgreSQL the check locks
the lease rows (`FOR SHARE`), so a standby's takeover waits for a batch in
flight and a stale owner's batch after a takeover updates nothing: it is
rolled back whole and the old owner stops.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from uuid import UUID

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from aksio.core.errors import DomainError
from aksio.projections.engine.db import metadata, reactor_tracking, tracking

leases = sa.Table(
    "projection_leases",
    metadata,
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("owner", sa.Uuid, nullable=False),
)


class LostOwnership(DomainError):
    """Another process took over: this batch is rolled back and the owner stops."""

    error_code = "SERVICE_UNAVAILABLE"
    transient = True  # not the batch's fault: the new owner applies it


def take(conn: Connection, name: str, owner: UUID) -> None:
    """Makes `owner` the lease holder of `name` (after taking its lock)."""
    updated = conn.execute(leases.update().where(leases.c.name == name).values(owner=owner))
    if updated.rowcount == 0:
        conn.execute(leases.insert().values(name=name, owner=owner))


def _held(names: Sequence[str], owner: UUID, locking: bool) -> sa.Select[tuple[str]]:
    query = sa.select(leases.c.name).where(leases.c.name.in_(names), leases.c.owner == owner)
    return query.with_for_update(read=True) if locking else query


def fenced_positions(conn: Connection, names: Sequence[str], owner: UUID, position: int) -> None:
    """Sets the projections' tracked position where `owner` holds their lease, else raises."""
    locking = conn.dialect.name == "postgresql"
    updated = conn.execute(
        tracking.update()
        .where(tracking.c.name.in_(_held(names, owner, locking).scalar_subquery()))
        .values(position=position)
    )
    if updated.rowcount != len(names):
        raise LostOwnership(f"lost the lease of a projection among {sorted(names)}")


# One prepared statement on the batch's own psycopg connection (SQLAlchemy's text with
# expanding lists was a large share of a one-event batch's time).
_FENCE_AND_ANNOUNCE = (
    b"WITH held AS (SELECT name FROM projection_leases WHERE name = ANY(%(names)s::text[]) "
    b"AND owner = %(owner)s), locked AS (SELECT name FROM projection_leases "
    b"WHERE name = ANY(%(written)s::text[]) AND owner = %(owner)s FOR SHARE), "
    b"moved AS (UPDATE projection_tracking SET position = GREATEST(position, %(position)s) "
    b"WHERE name IN (SELECT name FROM locked) RETURNING name) "
    b"SELECT (SELECT count(*) FROM held), (SELECT count(*) FROM moved), "
    b"pg_notify(%(channel)s, %(text)s)"
)


def fenced_and_announced(
    conn: Connection,
    names: Sequence[str],
    written: Sequence[str],
    owner: UUID,
    position: int,
    channel: str,
) -> None:
    """In a batch's transaction: checks that `owner` holds the lease of every projection in
    `names`, and records `position` for those `written` (those whose rows the batch changed,
    or all): the others' rows are as they were at their stored position, so their position
    can wait. On PostgreSQL the batch's announcement of `position` for all `names` goes in
    the same round trip (sent at commit); watchers take it for every one of them."""
    if conn.dialect.name != "postgresql":
        fenced_positions(conn, names, owner, position)
        return
    raw = conn.connection.driver_connection
    assert isinstance(raw, psycopg.Connection)
    text = json.dumps({"position": position, "names": list(names)})
    params = {"position": position, "names": list(names), "written": list(written),
              "owner": owner, "channel": channel, "text": text}  # fmt: skip
    try:
        found = raw.execute(_FENCE_AND_ANNOUNCE, params, prepare=True).fetchone()
    except psycopg.Error as error:  # as SQLAlchemy would raise it
        text = _FENCE_AND_ANNOUNCE.decode()
        raise sa.exc.DBAPIError.instance(text, None, error, psycopg.Error) from error
    if found is None or found[0] != len(names) or found[1] != len(written):
        raise LostOwnership(f"lost the lease of a projection among {sorted(names)}")


def fenced_reactor_position(conn: Connection, name: str, owner: UUID, position: int) -> None:
    """Sets a reactor's tracked position where `owner` holds its lease, else raises."""
    locking = conn.dialect.name == "postgresql"
    held = _held([reactor_lease(name)], owner, locking).exists()
    updated = conn.execute(
        reactor_tracking.update()
        .where(reactor_tracking.c.name == name, held)
        .values(position=position)
    )
    if updated.rowcount != 1:
        raise LostOwnership(f"lost the lease of reactor {name}")


def reactor_lease(name: str) -> str:
    return f"reactor.{name}"
