"""Hostile uploads to a real `aksio serve`: the server's peak memory, the extraction child's
peak memory, and how long each file took to fail.

Run: `.venv/bin/python -m benchmarks.bench_hostile_upload`.
Each file is uploaded through the API and polled until processing ends. A sampler reads
/proc every 10 ms: the server's high-water mark (VmHWM) before and after each file, and the
high-water mark of every child process of the server while it lives. A second server with
the zip checks lifted (AKSIO_EXTRACTION_MAX_UNPACKED_MB) and a 512 MB child limit takes a
bomb whose compression ratio passes the ratio check, so python-docx really inflates it and
only the child's memory limit stops it.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from aksio.integrations.extraction.formats import DOCX
from aksio.integrations.tokens import TokenService
from benchmarks.common import SECRET, served, server_env, table, verdict, workspace
from tests.documents.files import (
    cyclic_pdf_bytes,
    docx_bomb_bytes,
    huge_png_bytes,
    many_pages_pdf_bytes,
    pdf_bytes,
)

GROWTH_BUDGET_MB = 100.0  # the server's own peak may grow this much over all hostile files
PDF = "application/pdf"
Case = tuple[str, str, Callable[[], bytes]]
CASES: list[Case] = [
    ("notes.pdf (40 good pages)", PDF, lambda: pdf_bytes(40)),
    ("bomb.docx (2 GiB document.xml)", DOCX, lambda: docx_bomb_bytes(2048)),
    ("cyclic.pdf (page tree loop)", PDF, cyclic_pdf_bytes),
    ("million.pdf (1,000,000 pages)", PDF, lambda: many_pages_pdf_bytes(100, 10_000)),
    ("hidden.pdf (20,000 pages, /Count 1)", PDF, lambda: many_pages_pdf_bytes(10, 2_000, 1)),
    ("poster.png (30,000 x 30,000)", "image/png", lambda: huge_png_bytes(30_000, 30_000)),
]


def low_ratio_bomb() -> bytes:
    """300 MB of XML that compresses under 200:1, so only the memory limit can stop it."""
    words = [uuid.uuid4().hex[: 4 + n % 6] for n in range(3_000)]  # within the 32 KB window
    text = " ".join(words).encode()
    paragraph = b"<w:p><w:r><w:t>" + text + b"</w:t></w:r></w:p>"
    return docx_bomb_bytes(300, paragraph)


def status_of(pid: int) -> dict[str, int]:
    """The kB figures of /proc/<pid>/status (VmRSS, VmHWM, ...); empty once it is gone."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    found = {}
    for line in lines:
        key, _, value = line.partition(":")
        if value.strip().endswith("kB"):
            found[key] = int(value.split()[0])
    return found


def children_of(pid: int) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:  # the field after the state
            found.append(int(proc.name))
    return found


class Sampler:
    """Remembers the highest VmHWM of any child of the server since the last reset."""

    def __init__(self, server: int) -> None:
        self.server = server
        self.child_peak_kb = 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stopped.wait(0.01):
            for child in children_of(self.server):
                peak = status_of(child).get("VmHWM", 0)
                self.child_peak_kb = max(self.child_peak_kb, peak)

    def server_peak_mb(self) -> float:
        return status_of(self.server).get("VmHWM", 0) / 1024


def server_pid(port: str) -> int:
    for proc in Path("/proc").iterdir():
        try:
            command = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"serve" in command and port.encode() in command:
            return int(proc.name)
    raise LookupError("aksio serve is not running")


@contextmanager
def server(folder: Path, **extra: str) -> Iterator[tuple[httpx.Client, Sampler]]:
    folder.mkdir()
    env = server_env(folder / "var", None, AKSIO_RATE_LIMIT_UPLOAD="100000/hour", **extra)
    with served(env, folder) as base:
        owner = uuid.uuid4()
        token = TokenService(SECRET).access(owner, datetime.now(UTC))
        headers = {"Authorization": f"Bearer {token}"}
        sampler = Sampler(server_pid(base.rsplit(":", 1)[1]))
        with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
            try:
                yield client, sampler
            finally:
                sampler.stopped.set()


def run_case(client: httpx.Client, sampler: Sampler, case: Case) -> list[Any]:
    name, kind, make = case
    course = client.post("/api/v1/courses/", json={"name": "Hostile"}).json()["id"]
    data = make()
    before = sampler.server_peak_mb()
    sampler.child_peak_kb = 0
    began = time.perf_counter()
    files = {"file": (name.split(" ")[0], data, kind)}
    document = client.post(f"/api/v1/courses/{course}/documents/upload/", files=files)
    document_id = document.json()["document"]["id"]
    url = f"/api/v1/courses/{course}/documents/{document_id}/processing_status/"
    while (status := client.get(url).json())["processing_status"] not in ("failed", "completed"):
        time.sleep(0.02)
    seconds = time.perf_counter() - began
    after = sampler.server_peak_mb()
    error = status.get("processing_error") or ""
    return [
        name,
        f"{len(data) / 1024:,.0f} KB",
        status["processing_status"],
        seconds,
        after,
        after - before,
        sampler.child_peak_kb / 1024,
        error[:70],
    ]


def main() -> int:
    headers = ["file", "size", "status", "s", "server MB", "+MB", "child MB", "reason"]
    rows: list[list[Any]] = []
    with workspace("sqlite") as (_url, folder):
        with server(folder / "a") as (client, sampler):
            first = sampler.server_peak_mb()
            rows += [run_case(client, sampler, case) for case in CASES]
            growth = sampler.server_peak_mb() - first
        lifted = {"AKSIO_EXTRACTION_MAX_UNPACKED_MB": "100000", "AKSIO_EXTRACTION_MEMORY_MB": "512"}
        with server(folder / "b", **lifted) as (client, sampler):
            case = ("bomb past the checks (300 MB XML, 512 MB child limit)", DOCX, low_ratio_bomb)
            start = sampler.server_peak_mb()
            rows.append(run_case(client, sampler, case))
            growth = max(growth, sampler.server_peak_mb() - start)
    print(table(headers, rows))
    ok = growth < GROWTH_BUDGET_MB and all(row[2] == "failed" for row in rows[1:])
    print(
        f"server peak grew {growth:.1f} MB over all hostile files "
        f"(budget {GROWTH_BUDGET_MB:.0f} MB): {verdict(ok)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
