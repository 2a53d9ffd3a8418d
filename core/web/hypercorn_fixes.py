"""Two things hypercorn 0.18 lacks: early HTTP/2 answers that keep the connection, a connection cap.

*Early answers.* hypercorn forgets a stream once the app has answered it, and
DATA that the client still sends for it then raises ``KeyError`` in
``H2Protocol`` and kills the whole connection (upstream pull requests
#312/#334/#365, unreleased). Our early answers (413 for a large body, 400/404
for a bad path) are exactly that case. ``EarlyAnswerH2Protocol`` acknowledges
such DATA, so the connection's flow-control window is given back, and discards
it; every other event goes to hypercorn as before.

*Connection cap.* hypercorn accepts connections without bound, and each idle
TLS connection holds about 300 KB until its keep-alive timeout. ``CappedTcpServer``
counts the open connections of a server (a ``ConnectionGauge`` on its config)
and closes a connection past the cap at once, before any HTTP is read; a
connection whose client has gone is released at once, not when hypercorn's
keep-alive timer would have fired.

``install()`` makes hypercorn build both for every server in the process (all
of them are ours); it is idempotent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import h2.events
import hypercorn.asyncio.run
import hypercorn.protocol
from hypercorn.asyncio.tcp_server import TCPServer
from hypercorn.protocol.h2 import H2Protocol

from core.web.memory_return import BurstTrimmer, shrink_tls_read_buffers

log = logging.getLogger(__name__)


class EarlyAnswerH2Protocol(H2Protocol):
    """``H2Protocol`` that drops DATA for streams it has already answered."""

    async def _handle_events(self, events: list[h2.events.Event]) -> None:
        # One event at a time: a stream may be answered (and forgotten) while
        # an earlier event of the same batch is being handled.
        for event in events:
            if isinstance(event, h2.events.DataReceived) and event.stream_id not in self.streams:
                self.connection.acknowledge_received_data(
                    event.flow_controlled_length, event.stream_id
                )
                await self._flush()
                continue
            await super()._handle_events([event])


class ConnectionGauge:
    """Open connections of one server against its cap; refusals are counted."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("the connection cap must be at least 1")
        self.limit = limit
        self.open = 0
        self.refused = 0
        self.trimmer = BurstTrimmer()  # the heap given back once a burst has closed
        self._changed = asyncio.Event()

    def _count(self, *, opened: int = 0, refused: int = 0) -> None:
        self.open += opened
        self.refused += refused
        if opened < 0:
            self.trimmer.count(self.open)
        elif opened > 0:
            self.trimmer.peak = max(self.trimmer.peak, self.open)
        self._changed.set()  # wakes every waiter; each waits on a fresh event next
        self._changed = asyncio.Event()

    async def wait_for(self, predicate: Callable[[ConnectionGauge], bool]) -> None:
        """Return once ``predicate(self)`` holds (tests and benchmarks wait on it)."""
        while not predicate(self):
            await self._changed.wait()


class CappedTcpServer(TCPServer):
    """hypercorn's connection handler, refusing connections past the server's cap."""

    async def run(self) -> None:
        gauge = getattr(self.config, "connection_gauge", None)
        if not isinstance(gauge, ConnectionGauge):
            await super().run()
            return
        if gauge.open >= gauge.limit:
            gauge._count(refused=1)
            log.warning("connection refused: %d open, the cap is %d", gauge.open, gauge.limit)
            self.writer.close()
            with contextlib.suppress(OSError):  # ssl.SSLError is one
                await self.writer.wait_closed()
            return
        gauge._count(opened=1)
        try:
            await super().run()
        finally:
            gauge._count(opened=-1)

    async def _read_data(self) -> None:
        await super()._read_data()
        # The peer has gone: hypercorn would keep the connection (socket, TLS
        # buffers) until its keep-alive timer fires; stop the timer so it ends now.
        await self.idle_task.stop()


def install() -> None:
    """Make hypercorn build ``EarlyAnswerH2Protocol`` and ``CappedTcpServer`` (idempotent)."""
    shrink_tls_read_buffers()
    hypercorn.protocol.H2Protocol = EarlyAnswerH2Protocol  # type: ignore[attr-defined]
    hypercorn.asyncio.run.TCPServer = CappedTcpServer  # type: ignore[attr-defined]
