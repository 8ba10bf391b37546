"""Half-sent requests and oversized headers (`python -m benchmarks.bench_slow_clients`).

`aksio serve` (SQLite) gets `--connections` (2,000) clients that each send half a request
head and stop, while `/health` is asked every 0.2 s. Reported: how many were answered (408)
or closed, when the last one was (from the first connection's opening), the slowest
`/health` meanwhile, and the server's resident memory before and after; then one client that
sends a 10 MB header: its answer and the server's memory. Budget: every half-sent connection
closed within twice `AKSIO_REQUEST_READ_TIMEOUT_S` (10 s).
"""

from __future__ import annotations

import argparse
import selectors
import socket
import tempfile
import threading
import time
from pathlib import Path

import httpx

from benchmarks.common import served_process, server_env, table, verdict

TIMEOUT_S = 10.0
HALF = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: "


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _half_sent(port: int, count: int) -> tuple[int, int, float]:
    """(answered 408, closed without an answer, seconds until the last was closed)."""
    selector = selectors.DefaultSelector()
    began = time.monotonic()
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(HALF)
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ, bytearray())
    answered = closed = 0
    last = 0.0
    while selector.get_map() and time.monotonic() - began < 4 * TIMEOUT_S:
        for key, _ in selector.select(timeout=1.0):
            sock = key.fileobj
            assert isinstance(sock, socket.socket)
            try:
                data = sock.recv(65536)
            except (ConnectionResetError, BlockingIOError):
                data = b""
            key.data.extend(data)
            if not data:
                selector.unregister(sock)
                sock.close()
                if key.data.startswith(b"HTTP/1.1 408"):
                    answered += 1
                else:
                    closed += 1
                last = time.monotonic() - began
    for key in list(selector.get_map().values()):
        key.fileobj.close()  # type: ignore[union-attr]
    return answered, closed, last


def _big_header(port: int) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ")
        try:
            for _ in range(10 * 16):
                sock.sendall(b"a" * 65536)
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            return sock.recv(200).split(b"\r\n", 1)[0].decode() or "closed"
        except (ConnectionResetError, TimeoutError):
            return "reset"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--connections", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = server_env(folder / "var", None)
        with served_process(env, folder) as (base, proc):
            port = int(base.rsplit(":", 1)[1])
            before = _rss_mb(proc.pid)
            slowest = [0.0]
            stop = threading.Event()

            def probe() -> None:
                while not stop.is_set():
                    began = time.monotonic()
                    httpx.get(f"{base}/health", timeout=30)
                    slowest[0] = max(slowest[0], time.monotonic() - began)
                    stop.wait(0.2)

            prober = threading.Thread(target=probe)
            prober.start()
            answered, closed, last = _half_sent(port, args.connections)
            stop.set()
            prober.join()
            during = _rss_mb(proc.pid)
            big = _big_header(port)
            after = _rss_mb(proc.pid)
    print(f"Slow clients against aksio serve ({args.connections} half-sent request heads)")
    print(table(
        ["408 answers", "closed unanswered", "last closed (s)", "slowest /health (s)",
         "RSS before / after (MB)"],
        [[answered, closed, f"{last:.1f}", f"{slowest[0]:.2f}", f"{before:.0f} / {during:.0f}"]],
    ))  # fmt: skip
    print(f"10 MB header: {big}; RSS {during:.0f} -> {after:.0f} MB")
    ok = answered + closed == args.connections and last <= 2 * TIMEOUT_S
    print(f"every connection closed within {2 * TIMEOUT_S:.0f} s: {verdict(ok)}")


if __name__ == "__main__":
    main()
