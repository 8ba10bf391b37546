"""Which failures are the infrastructure's (retry later) rather than one event's or request's."""

from __future__ import annotations

import psycopg
import sqlalchemy.exc as sa_exc
from eventsourcing import persistence

# Database faults that pass (a connection refused or dropped, no pooled connection free in
# time; psycopg_pool's PoolTimeout is a psycopg OperationalError): the API answers 503.
DATABASE_FAULTS: tuple[type[Exception], ...] = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.DisconnectionError,
    sa_exc.TimeoutError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
    persistence.OperationalError,
    persistence.InterfaceError,
    persistence.ConnectionUnavailableError,
)
_TRANSIENT: tuple[type[BaseException], ...] = (*DATABASE_FAULTS, ConnectionError, TimeoutError)


def is_transient(error: BaseException) -> bool:
    """A database or network fault: the same work may well succeed once it is over."""
    if getattr(error, "transient", False):
        return True
    return isinstance(error, _TRANSIENT) or (
        isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated
    )
