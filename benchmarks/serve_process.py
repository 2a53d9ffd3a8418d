"""``pushsim serve`` in its own process, for benchmarks that measure the servers alone.

``serve`` starts it on a fresh workspace and returns the process and its
``--json`` description; ``memory_mb`` reads a process's ``VmRSS`` and
``VmHWM`` (its high-water mark) from ``/proc``, ``cpu_seconds`` its CPU time;
``print_result`` prints a benchmark's result as JSON or as aligned lines.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


async def serve(workspace: Path, *extra: str) -> tuple[asyncio.subprocess.Process, dict[str, Any]]:
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "app.cli", "--workspace", str(workspace)),
        *("serve", "--json", "--reset", *extra),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        env={k: v for k, v in os.environ.items() if k != "DISPLAY"},
    )
    assert process.stdout is not None
    described: dict[str, Any] = json.loads(await asyncio.wait_for(process.stdout.readline(), 120))
    return process, described


def memory_mb(pid: int) -> dict[str, float]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process has used (``/proc/PID/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def print_result(result: dict[str, Any], *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key:32} {value}")
