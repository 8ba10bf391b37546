"""The public form of stored events, shared by the audit API, the Kafka relay and webhooks.

A stored event becomes `{"id", "position", "type", "aggregate_id", "aggregate_type",
"version", "timestamp", "data"}`: `type` is dotted (`flashcard.reviewed`), derived from
the event class's stable TOPIC, `id` is stable for the event (aggregate id + version),
`position` is its place in the one log, and `data` holds the event's own fields as
JSON values, never a secret, and at most 256 KiB of them (bulky fields are named
under `data._omitted` instead). Also reads one aggregate's stored events with positions.

A webhook delivery is `{"id", "type", "timestamp", "data"}` of that form, its `data` naming
the resource (`aggregate_id`, `aggregate_type` and the resource's own id field such as
`flashcard_id`), since a delivery has no envelope that would say it. The Kafka value and
the audit API keep `data` as the event's own fields: they name the aggregate beside it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import ApplicationRecorder, Notification
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from eventsourcing.utils import construct_topic
from psycopg.sql import SQL

PREFIX = "aksio."
EVENT_ID_NAMESPACE = UUID("6f0d8a52-9a57-4a53-9a55-3c6c5b1b7e01")
ENVELOPE_FIELDS = frozenset(
    {"originator_id", "originator_version", "timestamp", "originator_topic"}
)
SECRET_MARKERS = ("password", "secret", "token_hash")
MAX_DATA_BYTES = 256 * 1024
Event = DomainEventProtocol[UUID]
# Stored topics whose public name is not simply the topic without "aksio.".
TYPE_OVERRIDES = {
    "aksio.quiz_attempt.started": "quiz.attempt.started",
    "aksio.quiz_attempt.response_submitted": "quiz.attempt.response_submitted",
    "aksio.quiz_attempt.completed": "quiz.attempt.completed",
    "aksio.quiz_attempt.regraded": "quiz.attempt.regraded",
    "aksio.document.processing_completed": "document.processing.completed",
    "aksio.document.processing_failed": "document.processing.failed",
}


def topic_of(event: Event) -> str:
    return construct_topic(type(event))


def public_type_of_topic(topic: str) -> str:
    if topic in TYPE_OVERRIDES:
        return TYPE_OVERRIDES[topic]
    if topic.startswith(PREFIX):
        return topic[len(PREFIX) :]
    return topic.rsplit(":", 1)[-1].lower()  # a class without TOPIC: "module:Qual.Name"


def public_type(event: Event) -> str:
    """The dotted public name of the event, e.g. `quiz.attempt.completed`."""
    return public_type_of_topic(topic_of(event))


def aggregate_type(event: Event) -> str:
    """`course`, `quiz_attempt`, ...: the thing in the event's `aksio.<thing>.<verb>` topic."""
    topic = topic_of(event)
    if topic.startswith(PREFIX):
        return topic[len(PREFIX) :].split(".", 1)[0]
    return type(event).__qualname__.split(".", 1)[0].lower()


def event_id(aggregate_id: UUID, version: int) -> UUID:
    """Stable across reads and restarts: consumers deduplicate on it."""
    return uuid.uuid5(EVENT_ID_NAMESPACE, f"{aggregate_id}/{version}")


def _is_secret(name: str) -> bool:
    lowered = name.lower()
    return any(marker in lowered for marker in SECRET_MARKERS)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def json_safe(value: Any) -> Any:
    """JSON values only, dropping secret-named fields at any depth."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, Enum):
        return json_safe(value.value)
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items() if not _is_secret(str(k))}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_safe(item) for item in value]
    return str(value)


def event_data(event: Event) -> dict[str, Any]:
    fields = {k: v for k, v in vars(event).items() if k not in ENVELOPE_FIELDS}
    data: dict[str, Any] = json_safe(fields)
    return _within_limit(data)


def _within_limit(data: dict[str, Any]) -> dict[str, Any]:
    """Keeps the public form small enough for a Kafka message or a webhook body.

    Bulky fields (a document's whole extracted text, its chunk offsets) are
    replaced, largest first, by `null`, and named under `_omitted` with their
    size; the full event stays readable through the API that owns it.
    """
    sizes = {name: len(json.dumps(value)) for name, value in data.items()}
    total = sum(sizes.values())
    if total <= MAX_DATA_BYTES:
        return data
    omitted: dict[str, int] = {}
    for name in sorted(sizes, key=sizes.__getitem__, reverse=True):
        if total <= MAX_DATA_BYTES:
            break
        omitted[name] = sizes[name]
        total -= sizes[name]
        data[name] = None
    data["_omitted"] = omitted
    return data


def to_public(notification_id: int, event: Event) -> dict[str, Any]:
    """The public JSON form of one stored event at log position `notification_id`."""
    aggregate_id = event.originator_id
    return {
        "id": str(event_id(aggregate_id, event.originator_version)),
        "position": notification_id,
        "type": public_type(event),
        "aggregate_id": str(aggregate_id),
        "aggregate_type": aggregate_type(event),
        "version": event.originator_version,
        "timestamp": _iso(vars(event)["timestamp"]),
        "data": event_data(event),
    }


# Resource id fields that are not simply `<aggregate_type>_id`.
RESOURCE_ID_FIELDS = {"quiz_attempt": "attempt_id", "study_session": "session_id"}


def resource_id_field(kind: str) -> str:
    """`flashcard_id`, `document_id`, `attempt_id`, ...: how a delivery names its resource."""
    return RESOURCE_ID_FIELDS.get(kind, f"{kind}_id")


def webhook_payload(public: Mapping[str, Any]) -> dict[str, Any]:
    """The body of a webhook delivery of one event in its public form."""
    kind = str(public["aggregate_type"])
    naming = {
        "aggregate_id": public["aggregate_id"],
        "aggregate_type": kind,
        resource_id_field(kind): public["aggregate_id"],
    }
    # Named first for the reader, and again last so that no event field can override them.
    data = {**naming, **public["data"], **naming}
    return {
        "id": public["id"],
        "type": public["type"],
        "timestamp": public["timestamp"],
        "data": data,
    }


# -- one aggregate's history -----------------------------------------------------------
def history(
    recorder: ApplicationRecorder, aggregate_id: UUID, after: int = 0, limit: int = 1000
) -> list[Notification]:
    """Stored events of one aggregate with versions above `after`, in order, with positions."""
    if isinstance(recorder, PostgresApplicationRecorder):
        statement = recorder.select_events_statement + SQL(
            " AND originator_version > %s ORDER BY originator_version LIMIT %s"
        )
        with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, [aggregate_id, after, limit])
            return [_notification(row, row["notification_id"]) for row in curs.fetchall()]
    if isinstance(recorder, SQLiteApplicationRecorder):
        query = (
            f"SELECT rowid, * FROM {recorder.events_table_name} WHERE originator_id=? "
            "AND originator_version>? ORDER BY originator_version LIMIT ?"
        )
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(query, [aggregate_id.hex, after, limit])
            rows = [dict(row) for row in cursor.fetchall()]
        return [_notification({**row, "originator_id": aggregate_id}, row["rowid"]) for row in rows]
    return _scan(recorder, aggregate_id, after, limit)


def _notification(row: Mapping[str, Any], position: int) -> Notification:
    return Notification(
        id=int(position),
        originator_id=row["originator_id"],
        originator_version=row["originator_version"],
        topic=row["topic"],
        state=bytes(row["state"]),
    )


def _scan(
    recorder: ApplicationRecorder, aggregate_id: UUID, after: int, limit: int
) -> list[Notification]:
    """Any other recorder: walk the whole log (slow, but needs no private table)."""
    found: list[Notification] = []
    start = 0
    while len(found) < limit:
        batch = recorder.select_notifications(start=start, limit=1000, inclusive_of_start=False)
        if not batch:
            break
        found += [
            n for n in batch if n.originator_id == aggregate_id and n.originator_version > after
        ]
        start = batch[-1].id
    return found[:limit]


def version_of(recorder: ApplicationRecorder, aggregate_id: UUID) -> int:
    """How many events the aggregate has (its last version), 0 when there is none."""
    last = recorder.select_events(aggregate_id, desc=True, limit=1)
    return last[0].originator_version if last else 0
