"""How much one file may cost to extract, and the cheap checks made before a parser runs.

The checks read only headers (a zip's central directory, an image's size), so a hostile
file is refused before anything is inflated. The child process's memory limit and deadline
(`sandbox.py`) are the backstop for whatever these checks cannot see.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from aksio.integrations.extraction.model import ExtractionFailed

if TYPE_CHECKING:
    from aksio.settings import Settings

MB = 1024 * 1024
RATIO_CHECKED_FROM = 10 * MB
MAX_ENTRIES = 10_000
SPLIT = "Split the document into smaller files, then upload them again."


@dataclass(frozen=True)
class ExtractionLimits:
    memory_mb: int = 2048
    timeout_s: float = 120.0
    max_unpacked_mb: int = 200
    max_image_pixels: int = 50_000_000
    # Real Office parts compress 3-20:1; past this (on a part big enough to matter) it is a bomb.
    max_ratio: float = 200

    @classmethod
    def from_settings(cls, settings: Settings) -> ExtractionLimits:
        return cls(
            memory_mb=settings.extraction_memory_mb,
            timeout_s=settings.extraction_timeout_s,
            max_unpacked_mb=settings.extraction_max_unpacked_mb,
            max_image_pixels=settings.extraction_max_image_pixels,
        )

    def out_of_memory(self) -> str:
        return (
            f"Processing the file needed more than {self.memory_mb:,} MB of memory, the most "
            f"this server allows for one file. {SPLIT} Large embedded images or very long "
            "tables make this more likely."
        )

    def out_of_time(self) -> str:
        return (
            f"Processing the file took longer than {self.timeout_s:g} seconds, the most this "
            f"server allows for one file. {SPLIT}"
        )

    def crashed(self) -> str:
        return (
            "The file's reader stopped unexpectedly: the file may be malformed, or need more "
            f"than the {self.memory_mb:,} MB of memory this server allows for one file. "
            "Open it and save a new copy (or split it), then upload that."
        )


def check_archive(path: Path, limits: ExtractionLimits) -> None:
    """Refuses a zip whose entries declare too much data, too many parts, or bomb-like ratios.

    Python's zipfile never inflates an entry past its declared size, so checking the
    declared sizes bounds what python-docx can unpack, however the data lies.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # the extractor reports a damaged file in its own words
    if len(entries) > MAX_ENTRIES:
        raise ExtractionFailed(
            f"The file holds {len(entries):,} parts; a real document has far fewer "
            f"(at most {MAX_ENTRIES:,} are read). {SPLIT}"
        )
    total = sum(entry.file_size for entry in entries)
    if total > limits.max_unpacked_mb * MB:
        raise ExtractionFailed(
            f"The file expands to more than {limits.max_unpacked_mb:,} MB when unpacked "
            f"({total / MB:,.0f} MB), the most this server processes. {SPLIT} If it holds "
            "large images, compress them first."
        )
    for entry in entries:
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size >= RATIO_CHECKED_FROM and ratio > limits.max_ratio:
            raise ExtractionFailed(
                f"The part {entry.filename} of the file expands {ratio:,.0f} times when "
                f"unpacked ({entry.compress_size / 1024:,.0f} KB to {entry.file_size / MB:,.0f}"
                " MB), far beyond any real document; it was not opened. Save the document "
                "again from its editor and upload the new copy."
            )
