"""Reading an Anki collection (SQLite) into decks of cards with their review history.

Tables read: `cards` (id, nid, ord, did, odid), `notes` (id, mid, flds), `revlog` (id, cid,
ease, time) and the deck and note-type names, from the `decks` and `notetypes` tables of the
current schema (v18) or the JSON columns of `col` in the legacy one (v11). Every Anki card
becomes a card: its note's first field is the question and the second the answer (swapped on a
note's further cards, such as the reverse of "Basic (and reversed card)"); a cloze note's card
n asks cloze n. A `revlog` row is a review at its own time (`id`, epoch ms) rated `ease` 1-4
like the CSV import's `review_rating`; rows with ease 0 (manual rescheduling, not a review) and
rows of deleted cards are skipped. The file is opened read-only and immutable, with schema
functions untrusted and a budget of SQLite steps, since it comes from the uploader.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aksio.aggregates.flashcards.review_log import MAX_REVIEWS, ImportedCard, ImportedReview
from aksio.integrations.anki.package import refuse
from aksio.integrations.anki.text import MAX_TEXT, cloze_card, cloze_numbers, plain_text

SQLITE_MAGIC = b"SQLite format 3\x00"
REQUIRED_TABLES = ("col", "notes", "cards", "revlog")
MAX_CARDS = 100_000
MAX_FIELDS_CHARS = 200_000  # of a note's fields read at all; a card keeps MAX_TEXT of each
MAX_JSON_CHARS = 16 * 1024 * 1024
MAX_STEPS = 100_000  # progress-handler calls of 10,000 SQLite instructions each
LATEST_MS = 4_102_444_800_000  # 2100-01-01: a revlog id beyond it is not a review time
CLOZE_KIND = b"\x08\x01"  # NotetypeConfig field 1 (kind) = 1 (cloze), serialised first
CARD_ROWS = """
SELECT c.id, c.ord, c.did, c.odid, n.id, n.mid, substr(n.flds, 1, ?)
FROM cards AS c JOIN notes AS n ON n.id = c.nid ORDER BY c.nid, c.ord, c.id LIMIT ?
"""
REVIEW_ROWS = """
SELECT r.id, r.cid, r.ease, r.time FROM revlog AS r JOIN cards AS c ON c.id = r.cid
WHERE r.ease != 0 ORDER BY r.id LIMIT ?
"""


@dataclass(frozen=True)
class ImportedDeck:
    name: str
    cards: tuple[ImportedCard, ...]


@contextmanager
def _opened(path: Path) -> Iterator[sqlite3.Connection]:
    with path.open("rb") as file:
        if file.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            refuse("The collection is not an SQLite database.")
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)
    conn.text_factory = lambda raw: raw.decode("utf-8", "replace")
    steps = [0]

    def spend() -> int:
        steps[0] += 1
        return int(steps[0] > MAX_STEPS)  # non-zero interrupts the query

    with closing(conn):
        conn.execute("PRAGMA trusted_schema = OFF")
        conn.set_progress_handler(spend, 10_000)
        yield conn


def _int(value: Any, where: str) -> int:
    if isinstance(value, int):
        return value
    refuse(f"{where} must be an integer, not {type(value).__name__}.")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _json_column(conn: sqlite3.Connection, column: str) -> dict[str, Any]:
    row = conn.execute(f"SELECT length({column}) <= ?, {column} FROM col", (MAX_JSON_CHARS,))
    found = row.fetchone()
    if found is None or not found[1]:
        return {}
    if not found[0]:
        refuse(f"col.{column} is too large.")
    try:
        parsed = json.loads(found[1])
    except (ValueError, RecursionError):
        refuse(f"col.{column} is not valid JSON.")
    return parsed if isinstance(parsed, dict) else {}


def _deck_names(conn: sqlite3.Connection, tables: set[str]) -> dict[int, str]:
    if "decks" in tables:  # the current schema separates deck levels with \x1f
        rows = conn.execute("SELECT id, name FROM decks")
        return {_int(i, "decks.id"): _text(name).replace("\x1f", "::") for i, name in rows}
    decks = _json_column(conn, "decks").values()
    return {
        deck["id"]: _text(deck.get("name"))
        for deck in decks
        if isinstance(deck, dict) and isinstance(deck.get("id"), int)
    }


def _cloze_types(conn: sqlite3.Connection, tables: set[str]) -> set[int] | None:
    """Ids of the cloze note types; None when the collection describes no note types."""
    if "notetypes" in tables:
        query = "SELECT id, substr(config, 1, 2) = ? FROM notetypes"
        rows = conn.execute(query, (CLOZE_KIND,)).fetchall()
        return {_int(i, "notetypes.id") for i, cloze in rows if cloze} if rows else None
    models = [m for m in _json_column(conn, "models").values() if isinstance(m, dict)]
    if not models:
        return None
    return {m["id"] for m in models if m.get("type") == 1 and isinstance(m.get("id"), int)}


def _question_answer(fields: list[str], ordinal: int, cloze: bool) -> tuple[str, str]:
    if cloze:
        return cloze_card(fields[0], fields[1] if len(fields) > 1 else "", ordinal + 1)
    question, answer = plain_text(fields[0]), plain_text("\n".join(fields[1:2]))
    return (answer, question) if ordinal > 0 and answer else (question, answer)


def _cards(conn: sqlite3.Connection, tables: set[str]) -> dict[int, tuple[int, ImportedCard]]:
    """Every card by its Anki id, with the deck it belongs to (its home deck when it sits in
    a filtered deck)."""
    cloze_types = _cloze_types(conn, tables)
    found: dict[int, tuple[int, ImportedCard]] = {}
    for row in conn.execute(CARD_ROWS, (MAX_FIELDS_CHARS, MAX_CARDS + 1)):
        if len(found) == MAX_CARDS:
            refuse(f"The collection has more than {MAX_CARDS} cards.")
        card_id, ordinal = _int(row[0], "cards.id"), _int(row[1], "cards.ord")
        deck = _int(row[3], "cards.odid") or _int(row[2], "cards.did")
        fields = _text(row[6]).split("\x1f")
        # with no note types described, a note's own cloze markup says whether it is one
        cloze = bool(cloze_numbers(fields[0])) if cloze_types is None else row[5] in cloze_types
        question, answer = _question_answer(fields, ordinal, cloze)
        card = ImportedCard(str(card_id), question or f"Anki card {card_id}", answer[:MAX_TEXT])
        found[card_id] = (deck, card)
    return found


def _review(row: tuple[Any, ...]) -> ImportedReview:
    moment, ease = _int(row[0], "revlog.id"), _int(row[2], "revlog.ease")
    if not 0 < moment < LATEST_MS:
        refuse(f"revlog row {moment}: the id is not a review time in epoch milliseconds.")
    if not 1 <= ease <= 4:
        refuse(f"revlog row {moment}: ease must be 0 to 4, not {ease}.")
    took = row[3] if isinstance(row[3], int) and row[3] >= 0 else None
    return ImportedReview(datetime.fromtimestamp(moment / 1000, UTC), ease, took)


def read_collection(path: Path) -> list[ImportedDeck]:
    """The collection's decks that hold cards, in order of their first card."""
    try:
        with _opened(path) as conn:
            kinds = dict(conn.execute("SELECT name, type FROM sqlite_master"))
            missing = [name for name in REQUIRED_TABLES if kinds.get(name) != "table"]
            if missing:
                refuse(f"The collection lacks the tables {', '.join(missing)}.")
            tables = {name for name, kind in kinds.items() if kind == "table"}
            names = _deck_names(conn, tables)
            cards = _cards(conn, tables)
            reviews = conn.execute(REVIEW_ROWS, (MAX_REVIEWS + 1,)).fetchall()
    except sqlite3.Error as exc:
        refuse(f"The collection cannot be read as an Anki database: {exc}.")
    if len(reviews) > MAX_REVIEWS:
        refuse(f"At most {MAX_REVIEWS} reviews per import.")
    for row in reviews:
        owner = cards.get(_int(row[1], "revlog.cid"))
        if owner is not None:
            owner[1].reviews.append(_review(row))
    decks: dict[int, list[ImportedCard]] = {}
    for deck, card in cards.values():
        decks.setdefault(deck, []).append(card)
    if not decks:
        refuse("The collection has no cards.")
    return [
        ImportedDeck((names.get(deck) or f"Anki deck {deck}")[:200], tuple(cards))
        for deck, cards in decks.items()
    ]
