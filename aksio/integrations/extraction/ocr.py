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


def _check_image(path: Path) -> None:
    try:
        with Image.open(path) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ExtractionFailed(DAMAGED) from None


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


def extract_image(path: Path) -> Extracted:
    _check_image(path)
    engine = _ocr()
    try:
        found, _elapsed = engine(str(path))
    except Exception:
        raise ExtractionFailed(DAMAGED) from None
    text = "\n".join(_lines(found or []))
    if not text.strip():
        raise ExtractionFailed(NO_TEXT)
    return Extracted(text=text, metadata={"ocr": True})
