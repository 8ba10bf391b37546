"""Parsing an exported review log: everything checked before anything is returned."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aksio.aggregates.flashcards.review_log import parse_review_log
from aksio.core.errors import ValidationFailed

HEADER = "card_id,review_rating,review_time,review_duration"


def test_groups_reviews_by_card_in_time_order():
    text = "\n".join(
        [
            HEADER + ",question,answer",
            "7,3,2024-03-02T10:00:00+00:00,1500,What is 2+2?,4",
            "9,1,2024-03-01T09:00:00Z,,,",
            "7,1,2024-03-01T10:00:00+02:00,800,,",
        ]
    )
    first, second = parse_review_log(text.encode())
    assert (first.external_id, first.question, first.answer) == ("7", "What is 2+2?", "4")
    assert [(r.reviewed_at, r.rating, r.quality, r.duration_ms) for r in first.reviews] == [
        (datetime(2024, 3, 1, 8, 0, tzinfo=UTC), 1, 2, 800),
        (datetime(2024, 3, 2, 10, 0, tzinfo=UTC), 3, 4, 1500),
    ]
    assert (second.external_id, second.question, second.reviews[0].duration_ms) == ("9", None, None)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("1,5,2024-03-01T10:00:00Z,10", "review_rating"),
        ("1,0,2024-03-01T10:00:00Z,10", "review_rating"),
        ("1,3,yesterday,10", "review_time"),
        ("1,3,2024-03-01T10:00:00Z,1.5", "review_duration"),
        ("1,3,2024-03-01T10:00:00Z,-4", "review_duration"),
        (",3,2024-03-01T10:00:00Z,10", "card_id"),
        ("1,3,2024-03-01T10:00:00Z,10,extra", "too many values"),
    ],
)
def test_a_bad_row_refuses_the_whole_file(body: str, problem: str):
    text = f"{HEADER}\n1,3,2024-03-01T09:00:00Z,10\n{body}\n2,4,2024-03-02T09:00:00Z,10\n"
    with pytest.raises(ValidationFailed) as caught:
        parse_review_log(text.encode())
    (message,) = caught.value.details["file"]
    assert message.startswith("row 3:") and problem in message


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"card_id,review_rating,review_time\n1,3,2024-03-01T10:00:00Z\n",
        HEADER.encode() + b"\n",
        HEADER.encode() + b"\n1,3,2024-03-01T10:00:00Z,5\n".replace(b"1,3", b"\xff\xfe"),
    ],
    ids=["empty", "missing column", "no rows", "not utf-8"],
)
def test_unusable_files_are_refused(data: bytes):
    with pytest.raises(ValidationFailed) as caught:
        parse_review_log(data)
    assert "file" in caught.value.details


def test_many_problems_are_reported_up_to_a_limit():
    rows = "\n".join(f"{n},9,2024-03-01T10:00:00Z,1" for n in range(30))
    with pytest.raises(ValidationFailed) as caught:
        parse_review_log(f"{HEADER}\n{rows}\n".encode())
    problems = caught.value.details["file"]
    assert len(problems) == 21 and problems[-1] == "... and 10 more problems"
