"""Memory of the servers through a burst of idle TLS connections (issue 12, benchmark).

    .venv/bin/python benchmarks/bench_connections.py [--connections 1000] [--json]

``pushsim serve`` (core, both mocks, the two demo phones) runs in its own
process; this one opens ``--connections`` TLS connections to the core, each
sends one request and then stays open and idle, then closes them all. The
server process's RSS (``/proc/PID/status``) is read before, with every
connection open, right after they closed, and once the server has been idle
for a few seconds: what a burst costs and how much of it comes back.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import ssl
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.serve_process import memory_mb, print_result, serve

REQUEST = b"GET /v1/sessions/0 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def rss_mb(pid: int) -> float:
    return memory_mb(pid)["VmRSS"]


async def open_one(host: str, port: int, context: ssl.SSLContext) -> asyncio.StreamWriter:
    reader, writer = await asyncio.open_connection(host, port, ssl=context)
    writer.write(REQUEST)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 404"), head[:40]
    length = int(
        next(h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")).split(b":")[
            1
        ]
    )
    await reader.readexactly(length)
    return writer


async def measure(connections: int, settle: float) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        process, described = await serve(Path(folder) / "ws")
        try:
            core = described["core"]
            assert isinstance(core, dict)
            url = urlsplit(str(core["url"]))
            context = ssl.create_default_context(cafile=str(described["ca_file"]))
            before = rss_mb(process.pid)
            began = time.monotonic()
            writers: list[asyncio.StreamWriter] = []
            for start in range(0, connections, 100):  # 100 handshakes at a time
                batch = range(start, min(start + 100, connections))
                writers += await asyncio.gather(
                    *(open_one(str(url.hostname), int(url.port or 443), context) for _ in batch)
                )
            opened = time.monotonic() - began
            held = rss_mb(process.pid)
            for writer in writers:
                writer.close()
            await asyncio.gather(*(w.wait_closed() for w in writers), return_exceptions=True)
            await asyncio.sleep(1.0)  # the server notices the closes
            closed = rss_mb(process.pid)
            await asyncio.sleep(settle)  # idle: what the server gives back by itself
            idle = rss_mb(process.pid)
        finally:
            process.terminate()
            await process.wait()
    burst = held - before
    return {
        "target": "memory after a burst of idle TLS connections to the core",
        "command": f"benchmarks/bench_connections.py --connections {connections}",
        "connections": connections,
        "open_seconds": round(opened, 2),
        "rss_mb_before": round(before, 1),
        "rss_mb_with_connections": round(held, 1),
        "rss_mb_after_close": round(closed, 1),
        "rss_mb_after_idle": round(idle, 1),
        "kb_per_connection": round(burst * 1024 / connections, 1),
        "returned_percent": round(100 * (held - idle) / burst, 0) if burst > 0 else 100.0,
        "load_average": os.getloadavg(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument(
        "--settle", type=float, default=8.0, help="idle seconds before the last read"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = asyncio.run(measure(args.connections, args.settle))
    print_result(result, as_json=args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
