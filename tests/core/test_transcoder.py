"""The store's transcoder decodes stored bytes exactly as the library's own does."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    TranscodingNotRegisteredError,
    UUIDAsHex,
)

from aksio.core.store import DateAsISO, EventTranscoder


def library() -> JSONTranscoder:
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO()):
        transcoder.register(transcoding)
    return transcoder


def ours() -> EventTranscoder:
    transcoder = EventTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO()):
        transcoder.register(transcoding)
    return transcoder


def same(decoded: Any, expected: Any) -> bool:
    """Equal, and of the same types all the way down (1 == 1.0 == True is not enough)."""
    if type(decoded) is not type(expected):
        return False
    if isinstance(expected, dict):
        return list(decoded) == list(expected) and all(
            same(decoded[k], expected[k]) for k in expected
        )
    if isinstance(expected, list):
        return len(decoded) == len(expected) and all(map(same, decoded, expected))
    if isinstance(expected, datetime):
        return bool(decoded == expected and decoded.utcoffset() == expected.utcoffset())
    if isinstance(expected, float) and expected != expected:  # NaN
        return bool(decoded != decoded)
    return bool(decoded == expected)


def outcome(transcoder: JSONTranscoder, stored: bytes) -> Any:
    """The decoded object, or the type of the error decoding raised."""
    try:
        return transcoder.decode(stored)
    except Exception as error:
        return type(error)


def value(rng: random.Random, depth: int = 0) -> Any:
    scalars = [
        lambda: uuid4(),
        lambda: datetime(2025, 1, 13, 9, 30, rng.randrange(60), rng.randrange(10**6), UTC),
        lambda: datetime(2025, 6, 1, 12, tzinfo=timezone(timedelta(hours=rng.randrange(-12, 13)))),
        lambda: date(rng.randrange(1, 9999), 1, 31),
        lambda: Decimal(rng.randrange(-(10**20), 10**20)) / 1000,
        lambda: rng.random() * 10 ** rng.randrange(-300, 300),
        lambda: rng.randrange(-(2**70), 2**70),
        lambda: rng.choice(
            [None, True, False, "", "\u00e6\u00f8\u00e5 \U0001f600", "_type_", "date_iso"]
        ),
        lambda: rng.choice([float("inf"), float("nan"), -0.0]),
    ]
    if depth < 3 and rng.random() < 0.4:
        if rng.random() < 0.5:
            return [value(rng, depth + 1) for _ in range(rng.randrange(4))]
        keys = ["_type_", "_data_", "name", "fields", "\u00e6"]
        return {rng.choice(keys): value(rng, depth + 1) for _ in range(rng.randrange(4))}
    return rng.choice(scalars)()


def test_random_states_decode_to_identical_objects() -> None:
    rng = random.Random(20251113)
    theirs, mine = library(), ours()
    for _ in range(3000):
        state = {"timestamp": datetime.now(UTC), "value": value(rng)}
        stored = theirs.encode(state)
        assert stored == mine.encode(state)
        assert same(outcome(mine, stored), outcome(theirs, stored)), stored


@pytest.mark.parametrize(
    "stored",
    [
        b'{"_type_":"uuid_hex","_data_":"1f6bdab4b59747ee95a745cd2b97fa4c"}',
        b'{"_data_":"2025-01-13","_type_":"date_iso"}',
        b'{"_type_":"date_iso","_data_":"2025-01-13","more":1}',
        b'{"_type_":"date_iso","other":"2025-01-13"}',
        b'[{"_type_":"datetime_iso","_data_":"2025-01-13T09:30:00+02:00"},{"_type_":"x"}]',
        b'{"a":{"_type_":"decimal_str","_data_":"1.50"},"b":{"_type_":1,"_data_":"1"}}',
        b' {"padded": true}\n',
        b'"text"',
        b"12345678901234567890123",
        b"[NaN, Infinity, -Infinity, 1e999]",
    ],
)
def test_unusual_stored_forms_decode_the_same(stored: bytes) -> None:
    assert same(outcome(ours(), stored), outcome(library(), stored))


@pytest.mark.parametrize(
    ("stored", "error"),
    [
        (b'{"_type_":"money","_data_":"1"}', TranscodingNotRegisteredError),
        (b'{"_type_":"uuid_hex","_data_":"not hex"}', ValueError),
        (b'{"_type_":"uuid_hex","_data_":5}', AssertionError),
        (b'{"_type_":[1],"_data_":"x"}', TypeError),
        (b'{"a":1', ValueError),
        (b"", ValueError),
    ],
)
def test_bad_stored_forms_fail_as_with_the_library(stored: bytes, error: type[Exception]) -> None:
    for transcoder in (library(), ours()):
        with pytest.raises(error):
            transcoder.decode(stored)


def test_a_replaced_transcoding_is_used() -> None:
    class UpperHex(UUIDAsHex):
        def decode(self, data: str) -> UUID:
            return UUID(data.upper())

    transcoder = ours()
    transcoder.register(UpperHex())
    found = transcoder.decode(b'{"_type_":"uuid_hex","_data_":"1f6bdab4b59747ee95a745cd2b97fa4c"}')
    assert found == UUID("1f6bdab4b59747ee95a745cd2b97fa4c")
    assert transcoder._from_str.get("uuid_hex") is None
