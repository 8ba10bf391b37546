"""The one event store: a single `eventsourcing` application holds every aggregate.

One application means one ordered log, so a single integer position serves
read-your-writes, the projections, the Kafka relay and audits alike.
"""

from __future__ import annotations

import fcntl
import json
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any, cast
from urllib.parse import unquote, urlparse
from uuid import UUID, SafeUUID

import psycopg
import psycopg.conninfo
from eventsourcing.application import Application
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Mapper,
    MapperDeserialisationError,
    Notification,
    StoredEvent,
    Transcoder,
    Transcoding,
    UUIDAsHex,
    find_id_convertor,
)
from eventsourcing.utils import resolve_topic
from psycopg_pool import ConnectionPool

from aksio.core.loading import Loader
from aksio.settings import Settings

APP_NAME = "Aksio"
EVENTS_TABLE = "aksio_events"
NOTIFY_CHANNEL = EVENTS_TABLE
MIGRATION_LOCK_KEY = 0x414B5349  # "AKSI"
RECONNECT_GIVE_UP_S = 4.0


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


_new, _set = object.__new__, object.__setattr__


def _uuid_from_hex(text: str) -> UUID:
    """`UUID(text)` for the 32 hex digits `UUIDAsHex` stores, without `UUID.__init__`'s
    parsing of other spellings (those go through it as before)."""
    if len(text) != 32 or not text.isalnum():
        return UUID(text)
    made = _new(UUID)
    _set(made, "int", int(text, 16))
    _set(made, "is_safe", SafeUUID.unknown)
    return made


# what each transcoding's `decode` does with a str, as one call
_STR_DECODERS: dict[type[Transcoding], Callable[[str], Any]] = {
    UUIDAsHex: _uuid_from_hex,
    DatetimeAsISO: datetime.fromisoformat,
    DateAsISO: date.fromisoformat,
    DecimalAsStr: Decimal,
}


class EventTranscoder(JSONTranscoder):
    """The library's JSON transcoder, decoding the same bytes to the same objects faster.

    Replaying the log decodes every stored event, and the library's decoder
    spends much of its time around the JSON parser: a whitespace scan before
    and after it and, for each JSON object, a generic hook. Here the parser
    runs directly (falling back to the full decoder for anything unusual),
    and the hook turns the common transcoded values straight into objects.
    Encoding is the library's own, so the stored form does not change.
    """

    def __init__(self) -> None:
        super().__init__()
        self.decoder = json.JSONDecoder(object_hook=self._revive)
        self._scan: Callable[[str, int], tuple[Any, int]] = cast(Any, self.decoder).scan_once
        self._from_str: dict[str, Callable[[str], Any]] = {}

    def register(self, transcoding: Transcoding) -> None:
        super().register(transcoding)
        quick = _STR_DECODERS.get(type(transcoding))
        if quick is None:
            self._from_str.pop(transcoding.name, None)
        else:
            self._from_str[transcoding.name] = quick

    def decode(self, data: bytes) -> Any:
        text = data.decode("utf8")
        try:
            obj, end = self._scan(text, 0)
        except StopIteration:
            end = -1
        if end != len(text):  # leading or trailing whitespace, or not JSON
            return self.decoder.decode(text)
        return obj

    def _revive(self, d: dict[str, Any]) -> Any:
        if len(d) != 2 or "_type_" not in d or "_data_" not in d:
            return d
        data = d["_data_"]
        if type(data) is str:
            quick = self._from_str.get(d["_type_"])
            if quick is not None:
                return quick(data)
        return self._decode_obj(d)


class EventMapper(Mapper[UUID]):
    """The library's mapper without a cipher or compressor, decoding with less overhead:
    each topic's class and class version are looked up once, then every stored event of
    that topic becomes its domain event as `Mapper.to_domain_event` makes it."""

    def __init__(self, transcoder: Transcoder) -> None:
        super().__init__(transcoder)
        self._classes: dict[str, tuple[type[Any], int]] = {}
        self._ids: dict[tuple[type[Any], type[Any]], Callable[[Any], Any]] = {}

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        topic = stored_event.topic
        known = self._classes.get(topic)
        if known is None:
            cls = resolve_topic(topic)
            known = self._classes[topic] = (cls, getattr(cls, "class_version", 1))
        cls, class_version = known
        try:
            state: dict[str, Any] = self.transcoder.decode(stored_event.state)
        except Exception as error:
            message = (
                f"Failed to deserialise state of stored event with topic '{topic}', "
                f"originator_id '{stored_event.originator_id}' and "
                f"originator_version {stored_event.originator_version}: {error}"
            )
            raise MapperDeserialisationError(message) from error
        originator_id = stored_event.originator_id
        key = (cls, type(originator_id))
        convert = self._ids.get(key)
        if convert is None:
            kind = cast(Hashable, type(originator_id))
            convert = self._ids[key] = find_id_convertor(cast(Hashable, cls), kind)
        state["originator_id"] = convert(originator_id)
        state["originator_version"] = stored_event.originator_version
        from_version = state.pop("class_version", 1)
        while from_version < class_version:
            getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(state)
            from_version += 1
        event = _new(cls)
        _set(event, "__dict__", state)
        return cast(DomainEventProtocol[UUID], event)


class EventStore(Application[UUID]):
    """Every aggregate of every bounded context is stored here."""

    name = APP_NAME

    def construct_mapper(self) -> Mapper[UUID]:
        mapper = super().construct_mapper()
        if type(mapper) is Mapper and mapper.cipher is None and mapper.compressor is None:
            return EventMapper(mapper.transcoder)
        return mapper

    def construct_transcoder(self) -> Transcoder:
        transcoder = EventTranscoder()
        self.register_transcodings(transcoder)
        return transcoder

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    @cached_property
    def loader(self) -> Loader:
        """Aggregates up to date, several with one query (see `aksio.core.loading`)."""
        return Loader(self)

    def read(self, after: int, limit: int) -> list[Notification]:
        """Stored events after `after`, in log order (ids may have gaps)."""
        return list(
            self.recorder.select_notifications(start=after, limit=limit, inclusive_of_start=False)
        )

    def head(self) -> int:
        return self.recorder.max_notification_id() or 0


def postgres_conninfo(url: str) -> dict[str, str]:
    parsed = urlparse(url)
    return {
        "host": parsed.hostname or "127.0.0.1",
        "port": str(parsed.port or 5432),
        "user": unquote(parsed.username or "postgres"),
        "password": unquote(parsed.password or ""),
        "dbname": (parsed.path or "/postgres").lstrip("/") or "postgres",
    }


def postgres_dsn(url: str) -> str:
    """A libpq connection string for psycopg, from an `AKSIO_DATABASE_URL`."""
    return psycopg.conninfo.make_conninfo("", **postgres_conninfo(url))


def persistence_env(settings: Settings, *, create_table: bool) -> dict[str, str]:
    env = {"CREATE_TABLE": "y" if create_table else "n"}
    if settings.aggregate_cache_size > 0:
        # Commands load aggregates from an LRU cache, each brought up to date with the events
        # stored since (one query, as without it) and deep-copied, so a long history is not
        # replayed on every command and a failed command cannot change the cached state.
        env["AGGREGATE_CACHE_MAXSIZE"] = str(settings.aggregate_cache_size)
    if settings.uses_postgres:
        assert settings.database_url
        info = postgres_conninfo(settings.database_url)
        env.update(
            {
                "PERSISTENCE_MODULE": "eventsourcing.postgres",
                "POSTGRES_HOST": info["host"],
                "POSTGRES_PORT": info["port"],
                "POSTGRES_USER": info["user"],
                "POSTGRES_PASSWORD": info["password"],
                "POSTGRES_DBNAME": info["dbname"],
                "POSTGRES_POOL_SIZE": "10",
                "POSTGRES_MAX_OVERFLOW": "10",
                "POSTGRES_LOCK_TIMEOUT": "5",
                "APPLICATION_RECORDER_TOPIC": "aksio.core.pg_recorder:ChunkingPostgresRecorder",
            }
        )
    else:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        env.update(
            {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(settings.data_dir / "events.sqlite3"),
                "SQLITE_LOCK_TIMEOUT": "10",
            }
        )
    return env


def open_store(settings: Settings, *, create_table: bool = False) -> EventStore:
    store = EventStore(env=persistence_env(settings, create_table=create_table))
    _bound_waits(store, settings)
    return store


def _bound_waits(store: EventStore, settings: Settings) -> None:
    """The PostgreSQL pool waits `db_pool_timeout_s` for a connection (the library's default
    is 30 s, so a stalled or unreachable server held every request that long, and each of its
    retries again), and gives up a reconnection after `RECONNECT_GIVE_UP_S`: the pool's
    backoff doubles its delay up to that bound, so after a long outage it would otherwise
    wait about as long again before it tried the recovered server."""
    pool = getattr(getattr(store.recorder, "datastore", None), "pool", None)
    if isinstance(pool, ConnectionPool):
        pool.timeout = settings.db_pool_timeout_s
        pool.reconnect_timeout = RECONNECT_GIVE_UP_S


@contextmanager
def migration_lock(settings: Settings) -> Iterator[None]:
    """Serialises schema changes between processes that start together."""
    if settings.uses_postgres:
        assert settings.database_url
        with psycopg.connect(postgres_dsn(settings.database_url), autocommit=True) as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK_KEY,))
            try:
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK_KEY,))
    else:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        path = Path(settings.data_dir) / "migrate.lock"
        with path.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def migrate_event_store(settings: Settings) -> None:
    """Creates the event store's tables; callers hold `migration_lock`."""
    store = open_store(settings, create_table=True)
    store.close()
