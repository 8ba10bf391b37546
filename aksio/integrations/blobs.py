"""Content-addressed storage of uploaded files, behind a small port.

A file is written once to a staging area while its SHA-256 is computed, then
moved under its hash; equal files share one blob. The port (`BlobStore`) is
what the rest of Aksio sees, so an object store can replace the folder later.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from aksio.core.errors import PayloadTooLarge

CHUNK_BYTES = 1024 * 1024
HEAD_BYTES = 8192


@dataclass
class Staged:
    """A file written to the staging area, not yet stored under its hash."""

    path: Path
    key: str
    size: int
    head: bytes

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


class BlobStore(Protocol):
    def stage(self, chunks: Iterable[bytes], max_bytes: int) -> Staged: ...
    def commit(self, staged: Staged) -> str: ...
    def open(self, key: str) -> BinaryIO: ...
    def local_path(self, key: str) -> AbstractContextManager[Path]: ...
    def exists(self, key: str) -> bool: ...


class FileBlobStore:
    """Blobs as files named by their SHA-256 under `root/ab/cd/`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.staging = root / "staging"

    def stage(self, chunks: Iterable[bytes], max_bytes: int) -> Staged:
        """Writes the chunks; PayloadTooLarge (and nothing kept) past `max_bytes`."""
        self.staging.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        head = b""
        fd, name = tempfile.mkstemp(dir=self.staging, suffix=".part")
        path = Path(name)
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    size += len(chunk)
                    if size > max_bytes:
                        raise PayloadTooLarge(
                            f"The file is larger than the {max_bytes // (1024 * 1024)} MB limit."
                        )
                    if len(head) < HEAD_BYTES:
                        head += chunk[: HEAD_BYTES - len(head)]
                    digest.update(chunk)
                    out.write(chunk)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return Staged(path=path, key=digest.hexdigest(), size=size, head=head)

    def _path(self, key: str) -> Path:
        if len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
            raise ValueError("not a blob key")
        return self.root / key[:2] / key[2:4] / key

    def commit(self, staged: Staged) -> str:
        target = self._path(staged.key)
        if target.exists():
            staged.discard()
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged.path, target)
        return staged.key

    def open(self, key: str) -> BinaryIO:
        return self._path(key).open("rb")

    @contextmanager
    def local_path(self, key: str) -> Iterator[Path]:
        """A path to read the blob from (an object store would download it first)."""
        yield self._path(key)

    def exists(self, key: str) -> bool:
        return self._path(key).exists()


def read_chunks(source: BinaryIO, size: int = CHUNK_BYTES) -> Iterator[bytes]:
    while chunk := source.read(size):
        yield chunk
