"""Runs every benchmark in its own process and prints their tables (`make bench`).

Each benchmark prints PASS or MISS against its budget; this exits non-zero only when one
of them crashed. The combined output is also written to `benchmarks/results/latest.txt`.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

BENCHMARKS = (
    "benchmarks.bench_commands",
    "benchmarks.bench_rebuild",
    "benchmarks.bench_reviews",
    "benchmarks.bench_aggregate_cache",
    "benchmarks.bench_due",
    "benchmarks.bench_scheduler_eval",
    "benchmarks.bench_fsrs_fit",
    "benchmarks.bench_documents",
    "benchmarks.bench_hostile_upload",
    "benchmarks.bench_ai",
    "benchmarks.bench_learning",
    "benchmarks.bench_integration",
    "benchmarks.bench_stall_recovery",
    "benchmarks.bench_takeover",
    "benchmarks.bench_slow_clients",
)
RESULTS = Path(__file__).resolve().parent / "results"


def header() -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"{when} on {platform.node()}: Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load average {load}"
    )


def main() -> int:
    root = Path(__file__).resolve().parents[1]
    sections = [header()]
    print(sections[0], flush=True)
    failed = []
    for module in BENCHMARKS:
        command = [sys.executable, "-m", module]
        print(f"\n$ python -m {module}", flush=True)
        done = subprocess.run(command, cwd=root, stdout=subprocess.PIPE, text=True)
        print(done.stdout, end="", flush=True)
        sections.append(f"$ python -m {module}\n{done.stdout}")
        if done.returncode != 0:
            failed.append(module)
            print(f"{module} crashed with exit code {done.returncode}", file=sys.stderr)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.txt").write_text("\n\n".join(sections))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
