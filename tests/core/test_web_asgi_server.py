"""The shared loopback server: a stop that outlasts ``stop_timeout`` cancels the task."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx

from core.pki import client_ssl_context, ensure_pki, server_ssl_context
from core.server import CORE_SERVER_OPTIONS
from core.web.asgi import Receive, Scope, Send, answer_lifespan
from core.web.asgi_server import LoopbackAsgiServer, ServerOptions
from core.workspace import Workspace


async def _hangs(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        await answer_lifespan(receive, send)
        return
    await asyncio.Event().wait()  # a handler that never answers


async def test_stop_timeout_cancels_a_server_stuck_on_a_request(tmp_path: Path) -> None:
    pki = ensure_pki(Workspace(tmp_path))
    options = ServerOptions(graceful_timeout=60.0, stop_timeout=0.3)
    server = LoopbackAsgiServer(_hangs, server_ssl_context(pki), name="stuck", options=options)
    await server.start()
    async with httpx.AsyncClient(verify=client_ssl_context(pki.ca_file), timeout=30) as client:
        request = asyncio.create_task(client.get(server.url + "/"))
        await asyncio.sleep(0.3)  # the request is in the handler now
        started = time.monotonic()
        await server.stop()
        assert time.monotonic() - started < 5  # not the 60 s graceful timeout
        assert not server.running
        request.cancel()
        await asyncio.gather(request, return_exceptions=True)


def test_the_core_keeps_its_own_limits_and_timeouts() -> None:
    assert CORE_SERVER_OPTIONS.stop_timeout == 10.0
    assert CORE_SERVER_OPTIONS.graceful_timeout == 2.0
    assert CORE_SERVER_OPTIONS.crash_message is not None
    assert CORE_SERVER_OPTIONS.errorlog == "core.server.hypercorn"
