"""Stopping a process in bounded time, even while requests or threads hang on the database.

A worker thread blocked in a database call cannot be interrupted, and the
interpreter waits for such threads (AnyIO's, the executors') before it exits:
a process asked to stop during a stall used to stay up for good. After a stop
signal a timer ends the process once `SHUTDOWN_DEADLINE_S` have passed,
whatever still runs; a shutdown that finishes sooner never meets it.
"""

from __future__ import annotations

import logging
import os
import threading
from types import FrameType

import uvicorn

SHUTDOWN_DEADLINE_S = 8.0
logger = logging.getLogger("aksio")
_armed = threading.Event()


def exit_by_deadline(seconds: float = SHUTDOWN_DEADLINE_S) -> None:
    """Ends the process `seconds` from now unless it has ended by then (once per process)."""
    if _armed.is_set():
        return
    _armed.set()

    def expire() -> None:
        logger.error("shutdown took longer than %s s (requests or threads hang); exiting", seconds)
        logging.shutdown()
        os._exit(1)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()


class BoundedServer(uvicorn.Server):
    """uvicorn's server, whose graceful shutdown (it waits for every open request) is
    bounded by `exit_by_deadline` from the first stop signal."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        exit_by_deadline()
        super().handle_exit(sig, frame)
