"""How long this process has been running: the honest "ready in" figure.

The kernel records when a process started (``/proc/self/stat``, field 22, in
clock ticks since boot); "ready in" is counted from there, so the Python
interpreter's own start and every import are included, not only the servers'
start. Where ``/proc`` is missing the first import of this module stands in.
"""

from __future__ import annotations

import os
import time

_IMPORTED = time.monotonic()


def process_age() -> float:
    """Seconds since the process started."""
    try:
        with open("/proc/self/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22 counts from 1
        with open("/proc/uptime", encoding="ascii") as uptime:
            now = float(uptime.read().split()[0])
        return max(0.0, now - started)
    except (OSError, ValueError, IndexError):
        return time.monotonic() - _IMPORTED
