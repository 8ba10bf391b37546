"""Unpacking the collection database from an Anki package, within bounds.

An `.apkg` or `.colpkg` is a zip. Since Anki 2.1.50 it holds the real collection as
`collection.anki21b` (SQLite compressed with zstd) beside a stub `collection.anki2` that only
asks old versions to upgrade; older packages hold `collection.anki21` or `collection.anki2`
(plain SQLite). The newest form present wins. An upload is hostile until proven otherwise:
the declared sizes are checked before anything is inflated, the inflated bytes are counted as
they are written, and zstd frames may not ask for more than a bounded window of memory.
"""

from __future__ import annotations

import os
import struct
import zipfile
import zlib
from pathlib import Path
from typing import IO, NoReturn

import zstandard

from aksio.core.errors import ValidationFailed

COLLECTIONS = ("collection.anki21b", "collection.anki21", "collection.anki2")
MAX_COLLECTION_BYTES = 512 * 1024 * 1024
ZSTD_MAX_WINDOW = 1 << 27  # zstd's own default limit: what Anki and the zstd tool produce
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
CHUNK = 1024 * 1024
MIB = 1024 * 1024
END_OF_DIRECTORY = b"PK\x05\x06"
MAX_DIRECTORY_BYTES = 8 * MIB  # 65,534 entries with short names take about 3 MB


class MalformedPackage(ValidationFailed):
    def __init__(self, problem: str) -> None:
        super().__init__(
            "The Anki package is malformed; nothing was imported.", {"file": [problem]}
        )


def refuse(problem: str) -> NoReturn:
    raise MalformedPackage(problem)


def _too_large(name: str) -> NoReturn:
    refuse(f"{name} is larger than {MAX_COLLECTION_BYTES // MIB} MB once decompressed.")


def _collection_entry(archive: zipfile.ZipFile) -> zipfile.ZipInfo:
    entries = {info.filename: info for info in archive.infolist()}
    for name in COLLECTIONS:
        if name in entries:
            return entries[name]
    refuse(f"The package holds no collection ({', '.join(COLLECTIONS)}).")


def _copy(source: IO[bytes], out: IO[bytes], name: str) -> None:
    written = 0
    while chunk := source.read(CHUNK):
        written += len(chunk)
        if written > MAX_COLLECTION_BYTES:
            _too_large(name)
        out.write(chunk)


def _zstd_header(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Refuses what is not zstd, or declares more than the limit, before inflating anything."""
    with archive.open(info) as member:
        head = member.read(18)  # the longest zstd frame header
    if not head.startswith(ZSTD_MAGIC):
        refuse(f"{info.filename} is not zstd-compressed data.")
    try:
        declared = zstandard.get_frame_parameters(head).content_size
    except zstandard.ZstdError as exc:
        refuse(f"{info.filename} has a bad zstd frame header: {exc}.")
    unknown = (zstandard.CONTENTSIZE_UNKNOWN, zstandard.CONTENTSIZE_ERROR)
    if declared not in unknown and declared > MAX_COLLECTION_BYTES:
        _too_large(info.filename)


def _unpack(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> None:
    compressed = info.filename.endswith("b")
    if compressed:
        _zstd_header(archive, info)
    with archive.open(info) as member, path.open("wb") as out:
        if not compressed:
            _copy(member, out, info.filename)
            return
        decompressor = zstandard.ZstdDecompressor(max_window_size=ZSTD_MAX_WINDOW)
        # A stream reader hands out at most CHUNK bytes a read, so a bomb is stopped at the
        # limit instead of being inflated into memory whole.
        with decompressor.stream_reader(member, read_size=CHUNK, read_across_frames=True) as raw:
            _copy(raw, out, info.filename)


def _check_directory(upload: IO[bytes]) -> None:
    """Bounds the zip's central directory before zipfile reads it whole: a 50 MB upload of empty
    entries would otherwise become a million objects (hundreds of MB and seconds of work).

    A package needs neither the zip64 form (over 65,534 entries or 4 GB) nor a large directory.
    """
    size = upload.seek(0, os.SEEK_END)
    upload.seek(max(0, size - 22 - 65_535))  # the end record, and at most its longest comment
    tail = upload.read()
    upload.seek(0)
    at = tail.rfind(END_OF_DIRECTORY)
    if at < 0 or len(tail) - at < 22:
        refuse("The file is not a zip archive, so not an Anki package (.apkg or .colpkg).")
    entries, directory = struct.unpack_from("<HL", tail, at + 10)
    if entries == 0xFFFF or directory > MAX_DIRECTORY_BYTES:
        refuse(
            "The zip has too many entries for an Anki package "
            f"(at most 65,534 and a {MAX_DIRECTORY_BYTES // MIB} MB directory)."
        )


def extract_collection(upload: IO[bytes], path: Path) -> str:
    """Writes the package's collection database to `path`; returns the entry it came from."""
    _check_directory(upload)
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        refuse("The file is not a zip archive, so not an Anki package (.apkg or .colpkg).")
    with archive:
        info = _collection_entry(archive)
        if info.file_size > MAX_COLLECTION_BYTES:
            _too_large(info.filename)
        try:
            _unpack(archive, info, path)
        except zstandard.ZstdError as exc:
            refuse(f"{info.filename} is not valid zstd data: {exc}.")
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
            # corrupt or lying entries, encrypted entries and unsupported compression methods
            refuse(f"{info.filename} cannot be unpacked from the zip: {exc}.")
        return info.filename
