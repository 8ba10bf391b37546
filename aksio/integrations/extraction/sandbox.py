"""Extraction in a child process with an address-space limit and a deadline.

A parser fed a hostile file (a zip bomb, a huge image, a pathological PDF) can take any
amount of memory or time. Running it in a child (`child.py`) whose address space is
capped by `RLIMIT_AS` and which is killed at a deadline keeps the server's own memory
flat: the server only ever holds the (bounded) result. The child is a fresh interpreter
(`python -m`), so it inherits none of the server's threads, locks or connections and
imports none of the server's modules; starting one costs about 0.4 s.
"""

from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from aksio.integrations.extraction.limits import ExtractionLimits
from aksio.integrations.extraction.model import ExtractionFailed, Progress

logger = logging.getLogger(__name__)
CHILD = "aksio.integrations.extraction.child"
POLL_S = 0.25
Outcome = tuple[dict[str, Any], dict[str, Any]]  # the analysis, the extractor's metadata


def extract_isolated(
    path: Path, content_type: str, progress: Progress, limits: ExtractionLimits
) -> Outcome:
    """`extract` then `analyse` in a bounded child; ExtractionFailed says what went wrong."""
    read_fd, write_fd = os.pipe()
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", CHILD, str(write_fd)],
            stdin=subprocess.PIPE,
            pass_fds=(write_fd,),
            env=_child_env(),
        )
    finally:
        os.close(write_fd)  # the child's copy is the only writer: its exit ends the pipe
    receiver = Connection(read_fd, writable=False)
    try:
        assert child.stdin is not None
        with child.stdin:
            child.stdin.write(pickle.dumps((str(path), content_type, limits)))
        return _await(child, receiver, progress, limits)
    finally:
        receiver.close()
        if child.poll() is None:
            child.kill()
        child.wait()


def _child_env() -> dict[str, str]:
    # glibc gives each thread a malloc arena that reserves 64 MB of address space; the OCR
    # engine's threads would spend the limit on reservations instead of data.
    return {**os.environ, "MALLOC_ARENA_MAX": "2"}


def _await(
    child: subprocess.Popen[bytes],
    receiver: Connection,
    progress: Progress,
    limits: ExtractionLimits,
) -> Outcome:
    deadline = time.monotonic() + limits.timeout_s
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            child.kill()
            raise ExtractionFailed(limits.out_of_time())
        try:
            message = receiver.recv() if receiver.poll(min(remaining, POLL_S)) else None
        except (EOFError, OSError):
            code = child.wait()
            logger.warning("an extraction child ended without an answer (exit code %s)", code)
            raise ExtractionFailed(limits.crashed()) from None
        if message is None:
            continue
        kind, *body = message
        if kind == "progress":
            progress(body[0])
        elif kind == "done":
            return body[0], body[1]
        elif kind == "failed":
            raise ExtractionFailed(body[0])
        else:
            raise RuntimeError(f"extraction failed in the child process: {body[0]}")
