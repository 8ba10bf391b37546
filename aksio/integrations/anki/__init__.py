"""Anki packages (.apkg, .colpkg) read into decks of cards with their review history."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import IO

from aksio.integrations.anki.collection import ImportedDeck, read_collection
from aksio.integrations.anki.package import extract_collection

__all__ = ["ImportedDeck", "is_package", "read_package"]
PACKAGE_SUFFIXES = (".apkg", ".colpkg")
ZIP_MAGIC = b"PK\x03\x04"


def is_package(filename: str | None, head: bytes) -> bool:
    """An upload named like a package, or any zip (a review-log CSV never starts like one)."""
    return (filename or "").lower().endswith(PACKAGE_SUFFIXES) or head.startswith(ZIP_MAGIC)


def read_package(upload: IO[bytes]) -> list[ImportedDeck]:
    """The package's decks; MalformedPackage (422) naming what is wrong, nothing kept on disk.

    SQLite needs a file, so the collection is unpacked into a private temporary folder that is
    removed whatever happens.
    """
    with tempfile.TemporaryDirectory(prefix="aksio-anki-") as folder:
        path = Path(folder) / "collection.sqlite"
        extract_collection(upload, path)
        return read_collection(path)
