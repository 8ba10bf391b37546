"""The content types Aksio accepts, and a check of a file's bytes against its declared type."""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

from aksio.core.errors import UnsupportedMediaType

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOCUMENT_TYPES: dict[str, str] = {
    "application/pdf": "pdf",
    DOCX: "docx",
    "text/plain": "text",
    "text/markdown": "markdown",
    "text/html": "html",
    "image/jpeg": "image",
    "image/png": "image",
}
ALLOWED_CONTENT_TYPES = tuple(DOCUMENT_TYPES)
ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "text/x-markdown": "text/markdown",
    "application/xhtml+xml": "text/html",
    "application/x-pdf": "application/pdf",
}
EXTENSIONS = {
    ".pdf": "application/pdf",
    ".docx": DOCX,
    ".txt": "text/plain",
    ".text": "text/plain",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".html": "text/html",
    ".htm": "text/html",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}
GENERIC = {"", "application/octet-stream", "binary/octet-stream", "application/unknown"}
MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"PK\x03\x04", "application/zip"),
    (b"GIF8", "image/gif"),
    (b"RIFF", "application/riff"),
    (b"\x1f\x8b", "application/gzip"),
    (b"\xd0\xcf\x11\xe0", "application/msword"),
    (b"\x7fELF", "application/x-executable"),
)


def normalise(content_type: str | None) -> str:
    base = (content_type or "").split(";", 1)[0].strip().lower()
    return ALIASES.get(base, base)


def resolve_type(declared: str | None, filename: str | None) -> str:
    """The allowed content type of an upload; a generic type is guessed from the file name."""
    content_type = normalise(declared)
    if content_type in GENERIC and filename:
        content_type = EXTENSIONS.get(PurePosixPath(filename).suffix.lower(), content_type)
    if content_type not in DOCUMENT_TYPES:
        shown = content_type or "unknown"
        raise UnsupportedMediaType(
            f"Files of type {shown} are not supported.",
            {"allowed_content_types": list(ALLOWED_CONTENT_TYPES)},
        )
    return content_type


def sniff(head: bytes) -> str | None:
    """The binary format the first bytes show, or None for anything text-like."""
    stripped = head.lstrip(b"\x00\t\n\r\x0c ")
    for magic, content_type in MAGIC:
        if head.startswith(magic) or (magic == b"%PDF-" and stripped.startswith(magic)):
            return content_type
    if b"\x00" in head:
        return "application/octet-stream"
    return None


def _is_docx(path: Path) -> bool | None:
    """True/False when the zip can be read; None when it is damaged (processing says so)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return None


def matches(content_type: str, head: bytes, path: Path | None = None) -> bool:
    found = sniff(head)
    if content_type == DOCX:
        if found != "application/zip":
            return False
        return path is None or _is_docx(path) is not False
    if DOCUMENT_TYPES[content_type] in ("text", "markdown", "html"):
        return found is None
    return found == content_type


def check_matches(content_type: str, head: bytes, path: Path | None = None) -> None:
    if not matches(content_type, head, path):
        raise UnsupportedMediaType(
            f"The file's contents do not match its declared type {content_type}.",
            {"file": [f"The bytes of this file are not {content_type}."]},
        )


def guess_fetched_type(header: str | None, head: bytes, url_path: str) -> str | None:
    """The allowed type of a fetched body: its bytes first, then its header, then its path."""
    found = sniff(head)
    declared = normalise(header)
    if found == "application/zip":
        by_name = PurePosixPath(url_path).suffix.lower() == ".docx"
        return DOCX if declared == DOCX or by_name else None
    if found in DOCUMENT_TYPES:
        return found
    if found is not None:
        return None
    if declared in DOCUMENT_TYPES and DOCUMENT_TYPES[declared] in ("text", "markdown", "html"):
        return declared
    lowered = head[:2048].lower()
    if b"<html" in lowered or b"<!doctype html" in lowered:
        return "text/html"
    by_path = EXTENSIONS.get(PurePosixPath(url_path).suffix.lower())
    if by_path and DOCUMENT_TYPES[by_path] in ("text", "markdown", "html"):
        return by_path
    return "text/plain" if declared.startswith("text/") else None
