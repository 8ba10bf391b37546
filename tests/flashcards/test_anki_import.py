"""Importing Anki packages: real exports of the shared review log, small hand-built
collections in the legacy schema, and malformed or hostile packages."""

from __future__ import annotations

import io
import sqlite3
import struct
import zipfile
from pathlib import Path
from typing import Any

import pytest
import zstandard
from fastapi.testclient import TestClient

from aksio.bootstrap import System
from tests.conftest import DATA, assert_envelope
from tests.flashcards.support import BASE, make_course, upload

Auth = dict[str, str]
PACKAGES = DATA / "anki"
REAL_LOG = DATA / "fsrs-review-logs" / "review_logs.csv"
MIB = 1024 * 1024
DECKS_JSON = (
    '{"10": {"id": 10, "name": "Biology"}, "20": {"id": 20, "name": "Cell biology::Nucleus"},'
    ' "30": {"id": 30, "name": "Filtered"}}'
)
MODELS_JSON = (
    '{"1": {"id": 1, "name": "Basic", "type": 0}, "2": {"id": 2, "name": "Cloze", "type": 1}}'
)
T0 = 1_709_287_200_000  # 2024-03-01T10:00:00Z in epoch milliseconds
DAY = 86_400_000


def send(client: TestClient, auth: Auth, data: bytes, course: str | None = None) -> Any:
    form = {"course": course} if course else {}
    files = {"file": ("deck.apkg", data, "application/octet-stream")}
    return client.post(f"{BASE}/import/", files=files, data=form, headers=auth)


def zipped(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def collection(tmp_path: Path, script: str = "") -> bytes:
    """A legacy-schema collection with the tables and columns the importer reads: a Basic note
    with HTML, a cloze note with two clozes (one card in a filtered deck) and a few reviews."""
    path = tmp_path / "collection.anki21"
    path.unlink(missing_ok=True)
    with sqlite3.connect(path) as db:
        db.executescript(
            """
            CREATE TABLE col (id INTEGER PRIMARY KEY, models TEXT NOT NULL, decks TEXT NOT NULL);
            CREATE TABLE notes (id INTEGER PRIMARY KEY, mid INTEGER NOT NULL, flds TEXT NOT NULL);
            CREATE TABLE cards (id INTEGER PRIMARY KEY, nid INTEGER NOT NULL, did INTEGER NOT NULL,
                                ord INTEGER NOT NULL, odid INTEGER NOT NULL);
            CREATE TABLE revlog (id INTEGER PRIMARY KEY, cid INTEGER NOT NULL,
                                 ease INTEGER NOT NULL, time INTEGER NOT NULL);
            """
        )
        db.execute("INSERT INTO col VALUES (1, ?, ?)", (MODELS_JSON, DECKS_JSON))
        basic = "<b>Mito</b>chondria&nbsp;function?\x1f<div>Makes ATP</div><div>[sound:a.mp3]</div>"
        cloze = "The {{c1::nucleus}} holds {{c2::DNA::molecule}}.<br>\x1fChapter <i>2</i>"
        db.executemany("INSERT INTO notes VALUES (?, ?, ?)", [(100, 1, basic), (200, 2, cloze)])
        db.executemany(
            "INSERT INTO cards VALUES (?, ?, ?, ?, ?)",
            [(1000, 100, 10, 0, 0), (2000, 200, 20, 0, 0), (2001, 200, 30, 1, 20)],
        )
        db.executemany(
            "INSERT INTO revlog VALUES (?, ?, ?, ?)",
            [
                (T0, 1000, 3, 4000),
                (T0 + 2 * DAY, 1000, 1, 9000),
                (T0 + 3 * DAY, 1000, 0, 0),  # a manual reschedule, not a review
                (T0 + DAY, 2001, 4, 2000),
                (T0 + DAY + 1, 999, 3, 1000),  # a deleted card's review
            ],
        )
        db.executescript(script)
    return path.read_bytes()


def nothing_stored(client: TestClient, auth: Auth, system: System, head: int) -> None:
    assert system.store.head() == head
    assert client.get(f"{BASE}/", headers=auth).json()["count"] == 0
    assert client.get("/api/v1/courses/", headers=auth).json()["count"] == 0


def test_decks_become_courses_with_clozes_and_plain_text(
    client: TestClient, auth: Auth, tmp_path: Path
):
    package = zipped({"collection.anki21": collection(tmp_path), "media": b"{}"})
    response = send(client, auth, package)
    assert response.status_code == 201, response.text
    assert response.json() == {
        "cards_imported": 3,
        "reviews_imported": 3,
        "cards_updated": 0,
        "course": None,
        "scheduler": "sm2",
    }
    courses = client.get("/api/v1/courses/", headers=auth).json()["results"]
    by_name = {course["name"]: course["id"] for course in courses}
    assert set(by_name) == {"Biology", "Cell biology::Nucleus"}  # the filtered deck is no home

    def cards_of(name: str) -> list[dict[str, Any]]:
        found = client.get(f"{BASE}/?course={by_name[name]}", headers=auth).json()["results"]
        return sorted(found, key=lambda card: card["question"])

    [basic] = cards_of("Biology")
    assert (basic["question"], basic["answer"]) == ("Mitochondria function?", "Makes ATP")
    history = client.get(f"{BASE}/{basic['id']}/history/", headers=auth).json()
    assert [h["reviewed_at"] for h in history] == ["2024-03-01T10:00:00Z", "2024-03-03T10:00:00Z"]
    assert [h["quality_response"] for h in history] == [4, 2]  # ease + 1, as the CSV's rating
    assert [h["response_time_seconds"] for h in history] == [4.0, 9.0]
    first, second = cards_of("Cell biology::Nucleus")
    assert (first["question"], first["answer"]) == (
        "The [...] holds DNA.",
        "The nucleus holds DNA.\nChapter 2",
    )
    assert (second["question"], second["answer"]) == (
        "The nucleus holds [molecule].",
        "The nucleus holds DNA.\nChapter 2",
    )
    assert (first["total_reviews"], second["total_reviews"]) == (0, 1)


def test_a_package_imported_again_adds_only_what_is_new(
    client: TestClient, auth: Auth, tmp_path: Path
):
    package = zipped({"collection.anki21": collection(tmp_path)})
    assert send(client, auth, package).status_code == 201
    again = send(client, auth, package)
    assert again.status_code == 201, again.text
    assert again.json()["cards_imported"] == again.json()["reviews_imported"] == 0
    assert again.json()["cards_updated"] == 0
    assert client.get(f"{BASE}/", headers=auth).json()["count"] == 3
    assert client.get("/api/v1/courses/", headers=auth).json()["count"] == 2

    # Studied on in Anki: a later review of the basic card, one before its latest (already
    # in), a new note in "Biology", and a new deck.
    later = collection(
        tmp_path,
        f"""
        INSERT INTO revlog VALUES ({T0 + 5 * DAY}, 1000, 4, 3000);
        INSERT INTO revlog VALUES ({T0 + DAY + 5}, 1000, 2, 3000);
        INSERT INTO notes VALUES (300, 1, 'Ribosome?Makes proteins');
        INSERT INTO cards VALUES (3000, 300, 10, 0, 0);
        INSERT INTO notes VALUES (400, 1, 'Golgi?Packages proteins');
        INSERT INTO cards VALUES (4000, 400, 40, 0, 0);
        UPDATE col SET decks = '{DECKS_JSON[:-1]}, "40": {{"id": 40, "name": "Organelles"}}}}';
        """,
    )
    response = send(client, auth, zipped({"collection.anki21": later}))
    assert response.status_code == 201, response.text
    assert response.json()["cards_imported"] == 2
    assert (response.json()["reviews_imported"], response.json()["cards_updated"]) == (1, 1)
    courses = client.get("/api/v1/courses/", headers=auth).json()["results"]
    by_name = {course["name"]: course["id"] for course in courses}
    assert sorted(by_name) == ["Biology", "Cell biology::Nucleus", "Organelles"]
    biology = client.get(f"{BASE}/?course={by_name['Biology']}", headers=auth).json()
    assert sorted(card["question"] for card in biology["results"]) == [
        "Mitochondria function?",
        "Ribosome?",
    ]
    [basic] = [card for card in biology["results"] if card["question"].startswith("Mito")]
    history = client.get(f"{BASE}/{basic['id']}/history/", headers=auth).json()
    assert [h["reviewed_at"] for h in history] == [
        "2024-03-01T10:00:00Z",
        "2024-03-03T10:00:00Z",
        "2024-03-06T10:00:00Z",
    ]
    assert basic["total_reviews"] == 3


def test_an_archived_card_is_not_imported_again(client: TestClient, auth: Auth, tmp_path: Path):
    package = zipped({"collection.anki21": collection(tmp_path)})
    assert send(client, auth, package).status_code == 201
    cards = client.get(f"{BASE}/", headers=auth).json()["results"]
    [basic] = [card for card in cards if card["question"].startswith("Mito")]
    assert client.delete(f"{BASE}/{basic['id']}/", headers=auth).status_code == 204
    later = collection(tmp_path, f"INSERT INTO revlog VALUES ({T0 + 5 * DAY}, 1000, 4, 3000);")
    response = send(client, auth, zipped({"collection.anki21": later}))
    assert response.status_code == 201, response.text
    assert response.json()["cards_imported"] == response.json()["cards_updated"] == 0
    history = client.get(f"{BASE}/{basic['id']}/history/", headers=auth).json()
    assert len(history) == 2


def test_a_named_course_takes_every_card(client: TestClient, auth: Auth, tmp_path: Path):
    course = make_course(client, auth, scheduler="fsrs")
    package = zipped({"collection.anki21": collection(tmp_path)})
    response = send(client, auth, package, course)
    assert response.status_code == 201, response.text
    assert (response.json()["course"], response.json()["scheduler"]) == (course, "fsrs")
    assert client.get("/api/v1/courses/", headers=auth).json()["count"] == 1
    cards = client.get(f"{BASE}/?course={course}", headers=auth).json()
    assert cards["count"] == 3


def test_a_foreign_course_is_not_found(
    client: TestClient, auth: Auth, make_user: Any, system: System, tmp_path: Path
):
    foreign = make_course(client, make_user())
    head = system.store.head()
    response = send(client, auth, zipped({"collection.anki21": collection(tmp_path)}), foreign)
    assert_envelope(response, 404, "RESOURCE_NOT_FOUND")
    nothing_stored(client, auth, system, head)


def _zstd(data: bytes) -> bytes:
    return zstandard.ZstdCompressor().compress(data)


def _zstd_bomb(size: int, declared: bool) -> bytes:
    """`size` zero bytes in zstd: a few kilobytes. With `declared` the frame header says how
    large it is; without, only inflating it tells."""
    out = io.BytesIO()
    compressor = zstandard.ZstdCompressor()
    chunk = bytes(MIB)
    if declared:
        with compressor.stream_writer(out, size=size, closefd=False) as writer:
            for _ in range(size // MIB):
                writer.write(chunk)
        return out.getvalue()
    stream = compressor.compressobj()
    parts = [stream.compress(chunk) for _ in range(size // MIB)]
    return b"".join(parts) + stream.flush()


def _lying_zip(data: bytes, declared: int) -> bytes:
    """A stored zip entry whose local and central headers claim `declared` bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("collection.anki21", data)
    raw = bytearray(buffer.getvalue())
    local = raw.index(b"PK\x03\x04")
    central = raw.index(b"PK\x01\x02")
    struct.pack_into("<I", raw, local + 22, declared)
    struct.pack_into("<I", raw, central + 24, declared)
    return bytes(raw)


def _malformed(tmp_path: Path) -> dict[str, tuple[bytes, str]]:
    good = collection(tmp_path)
    view = collection(
        tmp_path,
        "DROP TABLE notes; CREATE VIEW notes AS WITH RECURSIVE n(id, mid, flds) AS "
        "(SELECT 1, 1, 'x' UNION ALL SELECT id + 1, 1, 'x' FROM n) SELECT * FROM n;",
    )
    return {
        "not a zip": (b"card_id,review_rating\n1,3\n", "not a zip"),
        "no collection": (zipped({"media": b"{}"}), "no collection"),
        "garbage collection": (
            zipped({"collection.anki21": b"\x00garbage" * 500}),
            "not an SQLite",
        ),
        "truncated sqlite": (zipped({"collection.anki21": good[:3000]}), "cannot be read"),
        "missing tables": (
            zipped({"collection.anki21": collection(tmp_path, "DROP TABLE revlog;")}),
            "lacks the tables revlog",
        ),
        "a view instead of a table": (
            zipped({"collection.anki21": view}),
            "lacks the tables notes",
        ),
        "not zstd": (zipped({"collection.anki21b": good, "collection.anki2": good}), "not zstd"),
        "bad zstd": (
            zipped({"collection.anki21b": _zstd(good)[:-40] + bytes(40)}),
            "not valid zstd",
        ),
        "zstd bomb": (zipped({"collection.anki21b": _zstd_bomb(600 * MIB, False)}), "512 MB"),
        "declared zstd bomb": (
            zipped({"collection.anki21b": _zstd_bomb(513 * MIB, True)}),
            "512 MB",
        ),
        "zip declaring a huge collection": (_lying_zip(good, 600 * MIB), "512 MB"),
        "zip header smaller than the data": (_lying_zip(good, 1000), "cannot be unpacked"),
        "zip of 70,000 entries": (
            zipped({"collection.anki21": good} | {str(n): b"" for n in range(70_000)}),
            "too many entries",
        ),
    }


def test_malformed_packages_are_refused_whole(
    client: TestClient, auth: Auth, system: System, tmp_path: Path
):
    head = system.store.head()
    for case, (package, problem) in _malformed(tmp_path).items():
        body = assert_envelope(send(client, auth, package), 422, "VALIDATION_ERROR")
        assert problem in body["details"]["file"][0], (case, body)
    nothing_stored(client, auth, system, head)


def same_figures(got: Any, expected: Any) -> bool:
    """Equal, floats up to summation order: the cards come in another order than the CSV's."""
    if isinstance(expected, dict):
        return (
            isinstance(got, dict)
            and got.keys() == expected.keys()
            and all(same_figures(got[key], expected[key]) for key in expected)
        )
    if isinstance(expected, list):
        return (
            isinstance(got, list)
            and len(got) == len(expected)
            and all(same_figures(g, e) for g, e in zip(got, expected, strict=True))
        )
    if isinstance(expected, float):
        return bool(got == pytest.approx(expected, rel=1e-12))
    return bool(got == expected)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_real_packages_import_the_history_the_csv_holds(client: TestClient, make_user: Any):
    """Both of Anki's package formats of the shared review log: 1,205 cards and 12,580 reviews
    each, and the schedulers score them exactly as they score the CSV of the same history."""
    csv_user = make_user()
    assert upload(client, csv_user, REAL_LOG.read_bytes()).status_code == 201
    expected = client.get(f"{BASE}/scheduler_evaluation/", headers=csv_user).json()
    assert expected["reviews_scored"] > 5000
    for name in ("review_history.apkg", "review_history_modern.apkg"):
        user = make_user()
        response = send(client, user, (PACKAGES / name).read_bytes())
        assert response.status_code == 201, response.text
        assert response.json()["cards_imported"] == 1205
        assert response.json()["reviews_imported"] == 12580
        [course] = client.get("/api/v1/courses/", headers=user).json()["results"]
        assert course["name"] == "Shared review log"
        cards = client.get(f"{BASE}/?course={course['id']}&page_size=1", headers=user).json()
        assert cards["count"] == 1205
        evaluation = client.get(f"{BASE}/scheduler_evaluation/", headers=user).json()
        assert same_figures(evaluation, expected), (name, evaluation, expected)
