"""Logging for operators: readable lines by default, one JSON object a line on request.

`AKSIO_LOG_FORMAT=json` writes each record as a JSON object (python-json-logger)
with its time, level, logger and message, plus whatever the caller passed in
`extra`: the access log adds `request_id`, `user_id`, `method`, `route`,
`status` and `duration_ms`; projection, reactor and relay batches add their
name, position and event count. The text format shows the same extras as
`key=value` after the message.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from pythonjsonlogger.json import JsonFormatter

TEXT = "%(asctime)s %(levelname)s %(name)s %(message)s"
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
_STANDARD.add("color_message")  # uvicorn's message again, with terminal colours


def extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        more = " ".join(f"{key}={value}" for key, value in extras(record).items())
        return f"{line} {more}" if more else line


def configure(log_format: str = "text", level: str = "info") -> None:
    """Replaces the root logger's handlers with one that writes to stderr in `log_format`."""
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                reserved_attrs=[*JsonFormatter().reserved_attrs, "color_message"],
            )
        )
    else:
        handler.setFormatter(TextFormatter(TEXT))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers = []  # through the root handler, in the same format
        logging.getLogger(name).propagate = True
