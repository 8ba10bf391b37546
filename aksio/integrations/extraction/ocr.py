"""Images: text by OCR with rapidocr-onnxruntime, whose models ship inside the wheel."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PIL import Image, UnidentifiedImageError

from aksio.integrations.extraction.model import Extracted, ExtractionFailed

UNAVAILABLE = (
    "Text cannot be read from images on this server: the OCR engine "
    "(rapidocr-onnxruntime) is not installed."
)
DAMAGED = "The image file is damaged or not a supported image."
NO_TEXT = "No text was found in the image."
MIN_CONFIDENCE = 0.5
_engine: Any = None
_lock = threading.Lock()


def _ocr() -> Any:
    """The OCR engine, loaded on first use (its models take a moment to load)."""
    global _engine
    with _lock:
        if _engine is None:
            try:
                from rapidocr_onnxruntime import RapidOCR  # type: ignore[import-untyped]
            except ImportError:
                raise ExtractionFailed(UNAVAILABLE) from None
            _engine = RapidOCR()
        return _engine


def _too_large(width: int, height: int, max_pixels: int) -> ExtractionFailed:
    return ExtractionFailed(
        f"The image is {width:,} x {height:,} pixels ({width * height / 1e6:,.0f} megapixels); "
        f"the most this server reads is {max_pixels / 1e6:,.0f} megapixels. "
        "Scale it down (text stays readable at 300 dots per inch) and upload it again."
    )


def _check_image(path: Path, max_pixels: int) -> None:
    """Refuses a damaged image, or one too large to decode, from its header alone."""
    # Opening reads only the header; Pillow's own bomb check is off here so that the size
    # can be told to the user, and on afterwards for whatever opens the file again.
    Image.MAX_IMAGE_PIXELS = None
    try:
        with Image.open(path) as image:
            width, height = image.size
            if width * height > max_pixels:
                raise _too_large(width, height, max_pixels)
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ExtractionFailed(DAMAGED) from None
    finally:
        Image.MAX_IMAGE_PIXELS = max_pixels


def _lines(found: list[Any]) -> list[str]:
    """Recognised boxes in reading order: top to bottom, then left to right within a line."""
    boxes = [
        (min(p[1] for p in box), max(p[1] for p in box), min(p[0] for p in box), text)
        for box, text, score in found
        if float(score) >= MIN_CONFIDENCE and str(text).strip()
    ]
    boxes.sort()
    lines: list[list[tuple[float, str]]] = []
    bottom = -1.0
    for top, low, left, text in boxes:
        if lines and top < bottom - (low - top) / 2:
            lines[-1].append((left, str(text)))
            bottom = max(bottom, low)
        else:
            lines.append([(left, str(text))])
            bottom = low
    return [" ".join(text for _left, text in sorted(line)) for line in lines]


def extract_image(path: Path, max_pixels: int = 50_000_000) -> Extracted:
    _check_image(path, max_pixels)
    engine = _ocr()
    try:
        found, _elapsed = engine(str(path))
    except Exception:
        raise ExtractionFailed(DAMAGED) from None
    text = "\n".join(_lines(found or []))
    if not text.strip():
        raise ExtractionFailed(NO_TEXT)
    return Extracted(text=text, metadata={"ocr": True})
