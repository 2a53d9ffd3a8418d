"""A burst of connections is trimmed after once it drained; TLS reads use 32 KiB."""

from __future__ import annotations

import asyncio
from asyncio import sslproto

from core.web import memory_return
from core.web.hypercorn_fixes import ConnectionGauge, install
from core.web.memory_return import BURST, TLS_READ_BUFFER, BurstTrimmer


async def test_a_drained_burst_is_trimmed_once_and_small_traffic_never() -> None:
    trims: list[str] = []
    original = memory_return._malloc_trim
    memory_return._malloc_trim = lambda: trims.append("trim")
    try:
        trimmer = BurstTrimmer()
        for open_now in (1, 0, 5, 2, 0):  # everyday traffic
            trimmer.count(open_now)
        trimmer.peak = BURST + 50  # a burst arrived ...
        for open_now in range(BURST + 49, BURST // 20, -1):  # ... and closes
            trimmer.count(open_now)
        await asyncio.sleep(0)  # the trim runs on the loop, after the close's own work
        assert trims == ["trim"]
        assert trimmer.trims == 1
    finally:
        memory_return._malloc_trim = original
    original()  # the real one: glibc gives the free pages back (or, elsewhere, nothing)


async def test_the_gauge_feeds_its_trimmer_and_the_tls_buffer_is_shrunk() -> None:
    install()
    assert sslproto.SSLProtocol.max_size == TLS_READ_BUFFER
    gauge = ConnectionGauge(limit=10)
    gauge._count(opened=1)
    gauge._count(opened=1)
    gauge._count(opened=-1)
    assert gauge.trimmer.peak == 2
    assert gauge.trimmer.trims == 0
