"""The extraction child: `python -m aksio.integrations.extraction.child FD`.

It confines itself before importing any parser, reads its request (a pickled path,
content type and limits) from stdin, and sends progress and the outcome through the
pipe FD as `multiprocessing.connection` messages. It never raises: every outcome,
including running out of memory, is a message, and the server treats silence as a crash.
"""

from __future__ import annotations

import contextlib
import math
import os
import pickle
import resource
import sys
from multiprocessing.connection import Connection
from pathlib import Path

from aksio.integrations.extraction.limits import MB, ExtractionLimits
from aksio.integrations.extraction.model import ExtractionFailed


def confine(limits: ExtractionLimits) -> None:
    size = limits.memory_mb * MB
    resource.setrlimit(resource.RLIMIT_AS, (size, size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # A backstop for a child whose server died before its deadline: CPU seconds run faster
    # than the clock when the OCR engine uses every core, hence the multiple.
    seconds = math.ceil(limits.timeout_s * (os.cpu_count() or 1)) + 10
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))


def run(sender: Connection, path: Path, content_type: str, limits: ExtractionLimits) -> None:
    """Extracts and analyses, then sends ("done", analysis, metadata) or ("failed", why)."""
    try:
        from aksio.integrations.extraction import extract
        from aksio.integrations.extraction.analysis import analyse

        report = lambda done: sender.send(("progress", done))  # noqa: E731
        extracted = extract(path, content_type, report, limits)
        sender.send(("done", analyse(extracted), extracted.metadata))
    except ExtractionFailed as failure:
        memory = ran_out_of_memory(failure, limits)
        sender.send(("failed", limits.out_of_memory() if memory else failure.message))
    except BaseException as error:  # reported to the server, which logs it
        if ran_out_of_memory(error, limits):
            sender.send(("failed", limits.out_of_memory()))
        else:
            sender.send(("error", f"{type(error).__name__}: {error}"))


def ran_out_of_memory(error: BaseException, limits: ExtractionLimits) -> bool:
    """Whether a failure came from the memory limit, though a parser reported it otherwise.

    Extractors turn any parser error into "damaged", and libxml2 reports a failed
    allocation as a syntax error, so the causes are searched; and the peak address
    space is compared with the limit (a refused request does not count in the peak).
    """
    seen: BaseException | None = error
    for _ in range(20):
        if seen is None:
            break
        if isinstance(seen, MemoryError) or "memory allocation failed" in str(seen).lower():
            return True
        seen = seen.__cause__ or seen.__context__
    return peak_address_space() >= (limits.memory_mb - 32) * MB


def peak_address_space() -> int:
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmPeak:"):
                return int(line.split()[1]) * 1024
    return 0


def main() -> None:
    path, content_type, limits = pickle.loads(sys.stdin.buffer.read())
    confine(limits)
    sender = Connection(int(sys.argv[1]), readable=False)
    try:
        run(sender, Path(path), content_type, limits)
    finally:
        sender.close()


if __name__ == "__main__":
    main()
