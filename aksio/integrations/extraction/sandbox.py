"""Extraction in a child process with an address-space limit and a deadline.

A parser fed a hostile file (a zip bomb, a huge image, a pathological PDF) can take any
amount of memory or time. Running it in a child whose address space is capped by
`RLIMIT_AS` and which is killed at a deadline keeps the server's own memory flat: the
server only ever holds the (bounded) result. Children come from a `forkserver` that has
the parsers imported already, so a child starts in milliseconds and never inherits the
server's threads, locks or connections.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import math
import multiprocessing
import os
import resource
import time
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from aksio.integrations.extraction import extract
from aksio.integrations.extraction.analysis import analyse
from aksio.integrations.extraction.limits import MB, ExtractionLimits
from aksio.integrations.extraction.model import ExtractionFailed, Progress

logger = logging.getLogger(__name__)
# Imported once by the fork server, so each child starts with the parsers loaded (the OCR
# engine is not: it starts threads, which a fork would not carry over).
PRELOAD = [
    __name__,
    "aksio.integrations.extraction.pdf",
    "aksio.integrations.extraction.word",
    "aksio.integrations.extraction.web",
    "aksio.integrations.extraction.ocr",
    "aksio.integrations.extraction.text",
]
M_ARENA_MAX = -8  # glibc mallopt: per-thread arenas reserve 64 MB of address space each
POLL_S = 0.25
Outcome = tuple[dict[str, Any], dict[str, Any]]  # the analysis, the extractor's metadata
_context: Any = None


def _forkserver() -> Any:
    global _context
    if _context is None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        _context = context
    return _context


def extract_isolated(
    path: Path, content_type: str, progress: Progress, limits: ExtractionLimits
) -> Outcome:
    """`extract` then `analyse` in a bounded child; ExtractionFailed says what went wrong."""
    receiver, sender = _forkserver().Pipe(duplex=False)
    child = _forkserver().Process(
        target=_child,
        args=(sender, str(path), content_type, limits),
        name="aksio-extraction",
        daemon=True,
    )
    child.start()
    sender.close()  # so that the child's exit is seen as the end of the pipe
    try:
        return _await(child, receiver, progress, limits)
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()
        child.close()


def _await(
    child: BaseProcess, receiver: Connection, progress: Progress, limits: ExtractionLimits
) -> Outcome:
    deadline = time.monotonic() + limits.timeout_s
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            child.kill()
            raise ExtractionFailed(limits.out_of_time())
        try:
            ready = receiver.poll(min(remaining, POLL_S))
            message = receiver.recv() if ready else None
        except (EOFError, OSError):
            child.join(timeout=5)
            logger.warning("an extraction child ended with exit code %s", child.exitcode)
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


def _child(sender: Connection, path: str, content_type: str, limits: ExtractionLimits) -> None:
    """Runs in the child: confine, extract, analyse, send the outcome (never raises)."""
    _confine(limits)
    try:
        extracted = extract(Path(path), content_type, lambda done: _send(sender, done), limits)
        sender.send(("done", analyse(extracted), extracted.metadata))
    except ExtractionFailed as failure:
        memory = _ran_out_of_memory(failure, limits)
        sender.send(("failed", limits.out_of_memory() if memory else failure.message))
    except MemoryError:
        sender.send(("failed", limits.out_of_memory()))
    except BaseException as error:  # reported to the server, which logs it
        if _ran_out_of_memory(error, limits):
            sender.send(("failed", limits.out_of_memory()))
        else:
            sender.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        sender.close()


def _send(sender: Connection, done: float) -> None:
    sender.send(("progress", done))


def _confine(limits: ExtractionLimits) -> None:
    size = limits.memory_mb * MB
    resource.setrlimit(resource.RLIMIT_AS, (size, size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # A backstop for a child whose server died before its deadline: CPU seconds run faster
    # than the clock when the OCR engine uses every core, hence the multiple.
    seconds = math.ceil(limits.timeout_s * (os.cpu_count() or 1)) + 10
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))
    libc = ctypes.util.find_library("c")
    if libc:
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(libc).mallopt(M_ARENA_MAX, 2)


def _ran_out_of_memory(error: BaseException, limits: ExtractionLimits) -> bool:
    """Whether a failure came from the memory limit, though a parser reported it otherwise.

    Extractors turn any parser error into "damaged", and libxml2 reports a failed
    allocation as a syntax error, so the causes are searched, and the peak address
    space is compared with the limit (a failed request is not counted in the peak).
    """
    seen: BaseException | None = error
    for _ in range(20):
        if seen is None:
            break
        if isinstance(seen, MemoryError) or "memory allocation failed" in str(seen).lower():
            return True
        seen = seen.__cause__ or seen.__context__
    return _peak_address_space() >= limits.memory_mb * MB - 32 * MB


def _peak_address_space() -> int:
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmPeak:"):
                return int(line.split()[1]) * 1024
    return 0
