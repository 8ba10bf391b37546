"""What the benchmarks share: fresh PostgreSQL databases, a served process, tables, verdicts."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path

import httpx
import psycopg

PG_ADMIN = os.environ.get("AKSIO_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
SECRET = "benchmark-secret-key-that-is-long-enough-for-hs256"


@contextmanager
def pg_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database, dropped afterwards."""
    name = f"aksio_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def backend_database(backend: str) -> Iterator[str | None]:
    """A fresh PostgreSQL database's URL for `postgresql`; None (SQLite) for any other."""
    with pg_database() if backend == "postgresql" else nullcontext(None) as url:
        yield url


@contextmanager
def workspace(backend: str) -> Iterator[tuple[str | None, Path]]:
    """`backend_database` with a temporary folder for the data directory."""
    with (
        tempfile.TemporaryDirectory(prefix="aksio-bench-") as folder,
        backend_database(backend) as url,
    ):
        yield url, Path(folder)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def server_env(data_dir: Path, database_url: str | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AKSIO_")}
    env.update(
        {
            "AKSIO_DATA_DIR": str(data_dir),
            "AKSIO_SECRET_KEY": SECRET,
            "AKSIO_RATE_LIMIT_USER": "10000000/minute",
            "AKSIO_RATE_LIMIT_ANON": "10000000/minute",
        }
    )
    if database_url:
        env["AKSIO_DATABASE_URL"] = database_url
    env.update(extra)
    return env


@contextmanager
def served(env: dict[str, str], workdir: Path, *extra: str) -> Iterator[str]:
    """Runs `aksio serve` (access log off) and yields its base URL once /health answers."""
    with served_process(env, workdir, *extra) as (base, _):
        yield base


@contextmanager
def served_process(
    env: dict[str, str], workdir: Path, *extra: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`served`, yielding the server's process too (to read its CPU time)."""
    port = free_port()
    command = [sys.executable, "-m", "aksio.cli", "serve", "--host", "127.0.0.1", "--port"]
    command += [str(port), "--no-access-log", "--log-level", "warning", *extra]
    with running(command, env, workdir, port, "/health") as served:
        yield served


@contextmanager
def running(
    command: list[str], env: dict[str, str], workdir: Path, port: int, health: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Runs an HTTP server's `command` until the block ends, from when `health` answers 200."""
    log = workdir / f"serve-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(command, env=env, cwd=workdir, stdout=out, stderr=out)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(proc, base + health, log)
        yield base, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextmanager
def worker(env: dict[str, str], workdir: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Runs `aksio worker` until the block ends, from when it owns its projections."""
    log = workdir / f"worker-{uuid.uuid4().hex[:6]}.log"
    with log.open("wb") as out:
        command = [sys.executable, "-m", "aksio.cli", "worker"]
        proc = subprocess.Popen(command, env=env, cwd=workdir, stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + 60
        while b"worker running" not in log.read_bytes():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"aksio worker did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.1)
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_healthy(proc: subprocess.Popen[bytes], health: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(health, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{health} did not answer 200 within 60 s")


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sample."""
    ordered = sorted(values)
    rank = max(1, round(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(h) for h in headers], *[[_cell(v) for v in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [_line(row, widths) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _line(cells: Sequence[str], widths: Sequence[int]) -> str:
    """The first column left-aligned, the figures right-aligned."""
    pairs = enumerate(zip(cells, widths, strict=True))
    return "  ".join(cell.rjust(w) if i else cell.ljust(w) for i, (cell, w) in pairs)


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}" if value >= 100 else f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"
