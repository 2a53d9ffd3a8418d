"""Serving an ASGI app over TLS on a free 127.0.0.1 port with hypercorn.

We bind and listen ourselves (hypercorn does not report the port it picked),
hand the descriptor over as ``fd://N`` (the socket object is detached so only
hypercorn owns and closes it), pass our own ``ssl.SSLContext`` and always give
a ``shutdown_trigger`` so hypercorn installs no signal handlers on the loop
(which may be Qt's). The core and the mocks differ only in ``ServerOptions``:
limits, how long a stop may take before the task is cancelled, and whether a
crash of the serving task is logged. Every server has a connection cap and
idle timeouts (``hypercorn_fixes``), so a burst of connections is refused past
the cap and its memory comes back once the connections fall idle.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from dataclasses import dataclass

from hypercorn.asyncio import serve

from core.web import hypercorn_fixes
from core.web.asgi import ASGIApp
from core.web.hypercorn_fixes import ConnectionGauge
from core.web.loopback import LOOPBACK, TlsConfig, bind_loopback

log = logging.getLogger(__name__)
hypercorn_fixes.install()


@dataclass(frozen=True, kw_only=True)
class ServerOptions:
    """What one server sets in hypercorn and how it stops."""

    max_concurrent_streams: int = 1000
    keep_alive_max_requests: int = 1_000_000
    backlog: int = 1024
    # open at once; past it a new connection is closed at once. 4,096: a 1,000-phone fleet
    # holds a stream per phone on its mock and still leaves room for the core (512 did not)
    max_connections: int = 4096
    # an idle connection (no request under way) is closed. Longer than the clients' own
    # idle expiry (httpx: 5 s), so a client drops an idle connection before the server
    # does: with both at 5 s a phone could post its response into a connection the
    # core was closing at that moment (WriteError, the answer lost; seen at 100 phones)
    keep_alive_timeout: float = 15.0
    handshake_timeout: float = 10.0  # TLS handshake not done by then: the connection is closed
    graceful_timeout: float = 1.0
    stop_timeout: float | None = None  # then the serving task is cancelled; None waits
    errorlog: str | None = None  # logger name; default ``simulators.<name>.hypercorn``
    crash_message: str | None = None  # logged (with the exception) if serving ends in error


class LoopbackAsgiServer:
    """One hypercorn server on a loopback socket; ``start``/``stop`` on the running loop."""

    def __init__(
        self,
        app: ASGIApp,
        context: ssl.SSLContext,
        *,
        name: str,
        options: ServerOptions | None = None,
        max_concurrent_streams: int | None = None,
    ) -> None:
        self._app = app
        self._context = context
        self._name = name
        options = options or ServerOptions()
        if max_concurrent_streams is not None:
            options = ServerOptions(
                **{**options.__dict__, "max_concurrent_streams": max_concurrent_streams}
            )
        self.options = options
        self._task: asyncio.Task[None] | None = None
        self._shutdown: asyncio.Event | None = None
        self.port: int | None = None
        self.connections = ConnectionGauge(options.max_connections)

    @property
    def running(self) -> bool:
        return self._task is not None

    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError(f"{self._name} is not running")
        return f"https://{LOOPBACK}:{self.port}"

    def _config(self) -> TlsConfig:
        options = self.options
        sock = bind_loopback(backlog=options.backlog)
        self.port = int(sock.getsockname()[1])
        config = TlsConfig(self._context)
        config.bind = [f"fd://{sock.detach()}"]  # hypercorn owns (and closes) the fd now
        config.h2_max_concurrent_streams = options.max_concurrent_streams
        config.keep_alive_max_requests = options.keep_alive_max_requests
        config.keep_alive_timeout = options.keep_alive_timeout
        config.ssl_handshake_timeout = options.handshake_timeout
        config.connection_gauge = self.connections = ConnectionGauge(options.max_connections)
        config.graceful_timeout = options.graceful_timeout
        config.accesslog = None
        config.errorlog = logging.getLogger(
            options.errorlog or f"simulators.{self._name}.hypercorn"
        )
        return config

    async def start(self) -> None:
        if self._task is not None:
            return
        config = self._config()
        self._shutdown = asyncio.Event()
        self._task = asyncio.create_task(
            serve(self._app, config, shutdown_trigger=self._shutdown.wait, mode="asgi"),  # type: ignore[arg-type]
            name=f"{self._name}-hypercorn",
        )
        if self.options.crash_message is not None:
            self._task.add_done_callback(self._report_crash)
        # Connections queue on the listening socket meanwhile; only a start-up
        # failure (bad config) must surface here rather than at stop().
        await asyncio.sleep(0)
        if self._task.done():
            await self._task

    def _report_crash(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("%s", self.options.crash_message, exc_info=task.exception())

    async def stop(self) -> None:
        task, shutdown = self._task, self._shutdown
        if task is None or shutdown is None:
            return
        self._task = None
        shutdown.set()
        timeout = self.options.stop_timeout
        if timeout is not None:
            try:
                await asyncio.wait_for(asyncio.shield(task), timeout=timeout)
                return
            except TimeoutError:
                task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
