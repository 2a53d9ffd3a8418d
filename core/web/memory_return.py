"""Less memory per TLS connection, and memory given back after a burst of them.

Two facts measured with ``benchmarks/bench_connections.py`` (1,000 idle TLS
connections to the core: RSS 57 → 344 MB, and none of it back after they
closed):

- asyncio's TLS transport gives every connection a 256 KiB read buffer
  (``asyncio.sslproto.SSLProtocol.max_size``), most of the ~290 KB each idle
  connection cost. A TLS record holds at most 16 KiB of data, so a 32 KiB
  buffer reads any record whole; big bodies take more reads, which the small
  messages here never need.
- glibc keeps freed heap memory for reuse; after a burst the pages stay in
  the process. ``malloc_trim(0)`` hands the free pages back to the kernel; it
  runs once a burst is over (a server's open connections fell from at least
  ``BURST`` to a tenth of that), never per connection.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import logging
import sys
from asyncio import sslproto

log = logging.getLogger(__name__)

TLS_READ_BUFFER = 32 * 1024
BURST = 200  # open connections that count as a burst worth trimming after


def shrink_tls_read_buffers() -> None:
    """Every asyncio TLS connection made from now on reads into 32 KiB (idempotent)."""
    sslproto.SSLProtocol.max_size = TLS_READ_BUFFER


def _malloc_trim() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim): nothing to do
        log.debug("malloc_trim is not available")


class BurstTrimmer:
    """Watches one server's open connections; trims the heap once a burst has drained."""

    def __init__(self) -> None:
        self.peak = 0
        self.trims = 0

    def count(self, open_now: int) -> None:
        self.peak = max(self.peak, open_now)
        if self.peak >= BURST and open_now <= self.peak // 10:
            self.peak = open_now
            self.trims += 1
            # after the closing connection's own frees have run
            asyncio.get_running_loop().call_soon(_malloc_trim)
