"""Serving an ASGI app over TLS on a free 127.0.0.1 port with hypercorn.

We bind and listen ourselves (hypercorn does not report the port it picked),
hand the descriptor over as ``fd://N`` (the socket object is detached so only
hypercorn owns and closes it), pass our own ``ssl.SSLContext`` and always give
a ``shutdown_trigger`` so hypercorn installs no signal handlers on the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl

from hypercorn.asyncio import serve

from core.web.asgi import ASGIApp
from core.web.loopback import LOOPBACK, TlsConfig, bind_loopback


class LoopbackAsgiServer:
    """One hypercorn server on a loopback socket; ``start``/``stop`` on the running loop."""

    def __init__(
        self,
        app: ASGIApp,
        context: ssl.SSLContext,
        *,
        name: str,
        max_concurrent_streams: int = 1000,
    ) -> None:
        self._app = app
        self._context = context
        self._name = name
        self._max_streams = max_concurrent_streams
        self._task: asyncio.Task[None] | None = None
        self._shutdown: asyncio.Event | None = None
        self.port: int | None = None

    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError(f"{self._name} is not running")
        return f"https://{LOOPBACK}:{self.port}"

    async def start(self) -> None:
        if self._task is not None:
            return
        sock = bind_loopback()
        self.port = sock.getsockname()[1]
        config = TlsConfig(self._context)
        config.bind = [f"fd://{sock.detach()}"]
        config.h2_max_concurrent_streams = self._max_streams
        config.keep_alive_max_requests = 1_000_000
        config.graceful_timeout = 1.0
        config.accesslog = None
        config.errorlog = logging.getLogger(f"simulators.{self._name}.hypercorn")
        self._shutdown = asyncio.Event()
        self._task = asyncio.create_task(
            serve(self._app, config, shutdown_trigger=self._shutdown.wait),  # type: ignore[arg-type]
            name=f"{self._name}-hypercorn",
        )
        # Connections queue on the listening socket meanwhile; only a start-up
        # failure (bad config) must surface here rather than at stop().
        await asyncio.sleep(0)
        if self._task.done():
            await self._task

    async def stop(self) -> None:
        task, shutdown = self._task, self._shutdown
        if task is None or shutdown is None:
            return
        self._task = None
        shutdown.set()
        with contextlib.suppress(asyncio.CancelledError):
            await task
