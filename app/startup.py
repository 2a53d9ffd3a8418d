"""How long this process has been running: the honest "ready in" figure.

The kernel records when a process started (``/proc/self/stat``, field 22, in
clock ticks since boot); "ready in" is counted from there, so the Python
interpreter's own start and every import are included, not only the servers'
start. Where ``/proc`` is missing the first import of this module stands in.
"""

from __future__ import annotations

import gc
import os
import sys
import time

from core.collector import settle_heap

_IMPORTED = time.monotonic()
_MARKS: list[tuple[str, float]] = []
TRACE_VARIABLE = "PUSHSIM_STARTUP_TRACE"  # set: the start-up's phases on stderr once ready


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


def freeze_startup_heap() -> None:
    """Move everything built at start-up out of the cyclic collector's sight.

    With the window, the suite and its phones built, a full (generation 2)
    collection walks ~100,000 objects and stalls the event loop for 30-70 ms
    each time it runs; frozen objects are never scanned again (``gc.freeze``),
    so later collections only walk what the session itself allocates. Nothing is
    leaked: frozen objects are still freed by reference counting.
    """
    settle_heap(widen=False)  # short pauses matter more here than throughput
    gc.enable()  # app.cli turns it off for the start-up


def mark(what: str) -> None:
    """Note that ``what`` is done, at this age of the process (see ``report_marks``)."""
    _MARKS.append((what, process_age()))


def report_marks() -> None:
    """With ``PUSHSIM_STARTUP_TRACE`` set, print each phase and when it ended (stderr)."""
    if not os.environ.get(TRACE_VARIABLE):
        return
    for what, age in _MARKS:
        print(f"start-up {age:5.2f} s  {what}", file=sys.stderr)
