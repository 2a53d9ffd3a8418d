"""Early HTTP/2 answers keep the connection; connection cap; idle timeout; TLS close quirks."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from core.api.app import CoreApi
from core.pki import PkiMaterial, client_ssl_context, ensure_pki, server_ssl_context
from core.web.asgi import Receive, Scope, Send
from core.web.asgi_server import LoopbackAsgiServer, ServerOptions
from core.web.routing import WireResponse, send_response
from core.workspace import Workspace
from tests.core.device_core import ADMIN_TOKEN, CoreEnv


@pytest.fixture
def pki(tmp_path: Path) -> PkiMaterial:
    return ensure_pki(Workspace(tmp_path / "ws").ensure())


async def _hello(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "http":
        await send_response(send, WireResponse.json(200, {"hello": "world"}))


@pytest.fixture
async def served(
    request: pytest.FixtureRequest, pki: PkiMaterial
) -> AsyncIterator[LoopbackAsgiServer]:
    options: ServerOptions = request.param
    server = LoopbackAsgiServer(_hello, server_ssl_context(pki), name="t", options=options)
    await server.start()
    yield server
    await server.stop()


async def test_early_answers_over_http2_keep_the_connection(
    core_env: CoreEnv, pki: PkiMaterial, caplog: pytest.LogCaptureFixture
) -> None:
    api = CoreApi(core_env.service, ADMIN_TOKEN)
    clients: list[object] = []

    async def recording(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            clients.append(scope["client"])
        await api(scope, receive, send)

    server = LoopbackAsgiServer(recording, server_ssl_context(pki), name="core-h2")
    await server.start()
    verify = client_ssl_context(pki.ca_file)
    try:
        async with httpx.AsyncClient(base_url=server.url, verify=verify, http2=True) as client:
            big = await client.post(
                "/v1/users/bob@demo/login",
                content=b"x" * (10 << 20),
                headers={"content-type": "application/json"},
            )
            bad_path = await client.post("/v1/users/bob%00@demo/login", content=b"x" * 300_000)
            normal = await client.get("/openapi.json")
            open_during = server.connections.open
    finally:
        await server.stop()
    assert (big.status_code, big.http_version) == (413, "HTTP/2")
    assert big.json()["validationErrors"] == []
    assert bad_path.status_code == 400
    assert (normal.status_code, normal.http_version) == (200, "HTTP/2")
    assert len(clients) == 3
    assert len(set(clients)) == 1  # one client address and port: one connection
    assert open_during == 1
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


def _upload_cut_short(port: int, ca_file: Path) -> None:
    """HTTP/1.1 uploads that go on after the server's early answer and close_notify."""
    context = client_ssl_context(ca_file)
    for _ in range(3):
        raw = socket.create_connection(("127.0.0.1", port))
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            tls.sendall(b"POST /v1/users/bob@demo/login HTTP/1.1\r\nhost: core\r\n")
            tls.sendall(b"content-type: application/json\r\ncontent-length: 9000000\r\n\r\n")
            with contextlib.suppress(OSError):  # the server has closed meanwhile
                for _ in range(1800):
                    tls.sendall(b"x" * 5000)


async def test_uploads_cut_short_log_no_tls_tracebacks(
    core_env: CoreEnv, pki: PkiMaterial, caplog: pytest.LogCaptureFixture
) -> None:
    server = LoopbackAsgiServer(
        CoreApi(core_env.service, ADMIN_TOKEN), server_ssl_context(pki), name="core-h1"
    )
    await server.start()
    try:
        await asyncio.to_thread(_upload_cut_short, server.port or 0, pki.ca_file)
        async with asyncio.timeout(5):
            await server.connections.wait_for(lambda gauge: gauge.open == 0)
    finally:
        await server.stop()
    logged = [
        r.getMessage() + str(r.exc_info) for r in caplog.records if r.levelno >= logging.ERROR
    ]
    assert logged == []


@pytest.mark.parametrize(
    "served", [ServerOptions(max_connections=2, keep_alive_timeout=60.0)], indirect=True
)
async def test_connections_past_the_cap_are_closed_and_a_closed_one_frees_its_place(
    served: LoopbackAsgiServer, pki: PkiMaterial
) -> None:
    verify = client_ssl_context(pki.ca_file)
    first = httpx.AsyncClient(base_url=served.url, verify=verify)
    second = httpx.AsyncClient(base_url=served.url, verify=verify)
    third = httpx.AsyncClient(base_url=served.url, verify=verify)
    async with first, second, third:
        assert (await first.get("/")).status_code == 200
        assert (await second.get("/")).status_code == 200  # both kept alive
        with pytest.raises(httpx.TransportError):
            await third.get("/")
        assert (served.connections.open, served.connections.refused) == (2, 1)
        await first.aclose()
        async with asyncio.timeout(5):
            await served.connections.wait_for(lambda gauge: gauge.open == 1)
        assert (await third.get("/")).status_code == 200


@pytest.mark.parametrize("served", [ServerOptions(keep_alive_timeout=0.2)], indirect=True)
async def test_idle_connections_are_closed_after_the_keep_alive_timeout(
    served: LoopbackAsgiServer, pki: PkiMaterial
) -> None:
    async with httpx.AsyncClient(base_url=served.url, verify=client_ssl_context(pki.ca_file)) as c:
        responses = await asyncio.gather(*(c.get("/") for _ in range(5)))
        assert {r.status_code for r in responses} == {200}
        assert served.connections.open >= 1
        async with asyncio.timeout(5):  # the client keeps its pool; the server lets go
            await served.connections.wait_for(lambda gauge: gauge.open == 0)


def _pump(source: ssl.MemoryBIO, target: ssl.MemoryBIO) -> None:
    target.write(source.read())


def test_application_data_after_our_close_notify_closes_quietly(pki: PkiMaterial) -> None:
    """A client that keeps sending after the server's close_notify: no SSLError out of unwrap."""
    server_in, server_out, client_in, client_out = (ssl.MemoryBIO() for _ in range(4))
    server = server_ssl_context(pki).wrap_bio(server_in, server_out, server_side=True)
    client = client_ssl_context(pki.ca_file).wrap_bio(
        client_in, client_out, server_hostname="127.0.0.1"
    )
    for _ in range(4):  # handshake over memory
        for side in (client, server):
            with contextlib.suppress(ssl.SSLWantReadError):
                side.do_handshake()
        _pump(client_out, server_in)
        _pump(server_out, client_in)
    client.write(b"GET / HTTP/1.1\r\n\r\n")
    _pump(client_out, server_in)
    assert server.read(100).startswith(b"GET")
    server.unwrap()  # our close_notify goes out; the client's is not awaited
    client.write(b"x" * 5000)  # the client has not seen it yet and keeps uploading
    _pump(client_out, server_in)
    server.unwrap()  # reads the late application data: quiet, the close completes
