"""The APNs wire: HTTP/2 over TLS written on ``h2`` directly (not hypercorn).

Real APNs clients are strict about framing: a success is one HEADERS frame
with END_STREAM and no DATA frame; an error is HEADERS then exactly one DATA
frame holding the JSON reason (aioapns ``json.loads`` every DATA frame, so a
trailing empty DATA frame, as hypercorn writes, kills its connection). Every
response carries ``apns-id``, which clients use to match answers.

HTTP/2 is spoken with prior knowledge: ALPN ``h2`` is offered but a client that
sends no ALPN (aioapns) is served the same. We advertise 1000 concurrent
streams and generous flow-control windows, and acknowledge every DATA frame at
once, so a burst of sends never stalls on our side. A client that never opens
its own receive window (aioapns does not) can exhaust it with error bodies;
then the connection is closed with GOAWAY and the client reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from h2.config import H2Configuration
from h2.connection import H2Connection
from h2.errors import ErrorCodes
from h2.events import (
    ConnectionTerminated,
    DataReceived,
    RequestReceived,
    StreamEnded,
    StreamReset,
)
from h2.exceptions import H2Error
from h2.settings import SettingCodes, Settings

from core.web.loopback import bind_loopback
from simulators.apns.auth import topic_from_certificate
from simulators.apns.handler import ApnsRequest
from simulators.apns.reasons import ApnsResponse

log = logging.getLogger(__name__)

MAX_CONCURRENT_STREAMS = 1000
STREAM_WINDOW = 1 << 20
CONNECTION_WINDOW = 1 << 26
MAX_BODY = 64 * 1024  # we keep reading past this, but only to answer PayloadTooLarge

Handler = Callable[[ApnsRequest], Awaitable[ApnsResponse]]


class _ServerConnection(H2Connection):
    """h2's connection, remembering fewer closed streams.

    h2 keeps the ID of every closed stream (to tell a late frame from a protocol
    error) up to 65,536 per connection: on the core's one long-lived APNs
    connection that is ~100 bytes per push until the cap, the largest growth a
    10-minute soak showed (tracemalloc). The newest 1,024 cover any frame still
    in flight.
    """

    MAX_CLOSED_STREAMS = 1024


@dataclass
class _Stream:
    headers: list[tuple[str, str]]
    body: bytearray = field(default_factory=bytearray)
    too_large: bool = False


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else value


class ApnsConnection(asyncio.Protocol):
    def __init__(self, server: ApnsH2Server) -> None:
        self._server = server
        self._transport: asyncio.Transport | None = None
        self._conn = _ServerConnection(H2Configuration(client_side=False, header_encoding=None))
        self._streams: dict[int, _Stream] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.certificate_topic: str | None = None
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    # -- asyncio.Protocol ---------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        ssl_object = transport.get_extra_info("ssl_object")
        if isinstance(ssl_object, ssl.SSLObject):
            self.certificate_topic = topic_from_certificate(
                ssl_object.getpeercert(binary_form=True)
            )
        self._server.connections.add(self)
        self._conn.local_settings = Settings(
            client=False,
            initial_values={
                SettingCodes.MAX_CONCURRENT_STREAMS: MAX_CONCURRENT_STREAMS,
                SettingCodes.INITIAL_WINDOW_SIZE: STREAM_WINDOW,
                SettingCodes.MAX_HEADER_LIST_SIZE: 1 << 16,
            },
        )
        self._conn.initiate_connection()
        self._conn.increment_flow_control_window(CONNECTION_WINDOW - 65535)
        self._flush()

    def data_received(self, data: bytes) -> None:
        try:
            events = self._conn.receive_data(data)
        except H2Error as exc:
            log.debug("APNs mock: HTTP/2 protocol error from client: %s", exc)
            self._flush()
            self.close()
            return
        for event in events:
            if isinstance(event, RequestReceived) and event.stream_id is not None:
                headers = [(_text(k).lower(), _text(v)) for k, v in event.headers or ()]
                self._streams[event.stream_id] = _Stream(headers=headers)
            elif isinstance(event, DataReceived) and event.stream_id is not None:
                self._on_data(event)
            elif isinstance(event, StreamEnded) and event.stream_id is not None:
                self._on_request_complete(event.stream_id)
            elif isinstance(event, StreamReset) and event.stream_id is not None:
                self._streams.pop(event.stream_id, None)
            elif isinstance(event, ConnectionTerminated):
                self.close()
                return
        self._flush()

    def connection_lost(self, exc: Exception | None) -> None:
        self._server.connections.discard(self)
        for task in self._tasks:
            task.cancel()
        self._streams.clear()
        if not self.closed.done():
            self.closed.set_result(None)

    # -- requests -----------------------------------------------------------------------
    def _on_data(self, event: DataReceived) -> None:
        stream_id = event.stream_id
        assert stream_id is not None
        if event.flow_controlled_length:
            self._conn.acknowledge_received_data(event.flow_controlled_length, stream_id)
        stream = self._streams.get(stream_id)
        if stream is None:
            return
        if len(stream.body) + len(event.data or b"") > MAX_BODY:
            stream.too_large = True
        else:
            stream.body.extend(event.data or b"")

    def _on_request_complete(self, stream_id: int) -> None:
        stream = self._streams.pop(stream_id, None)
        if stream is None:
            return
        pseudo = {name: value for name, value in stream.headers if name.startswith(":")}
        request = ApnsRequest(
            method=pseudo.get(":method", ""),
            path=pseudo.get(":path", ""),
            headers=tuple((n, v) for n, v in stream.headers if not n.startswith(":")),
            body=bytes(stream.body),
            authority=pseudo.get(":authority") or dict(stream.headers).get("host", ""),
            certificate_topic=self.certificate_topic,
            body_too_large=stream.too_large,
        )
        task = asyncio.ensure_future(self._answer(stream_id, request))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _answer(self, stream_id: int, request: ApnsRequest) -> None:
        try:
            response = await self._server.handler(request)
        except Exception:  # never leave a client waiting on a stream
            log.exception("APNs mock handler failed")
            apns_id = request.header("apns-id") or str(uuid.uuid4()).upper()
            response = ApnsResponse.error("InternalServerError", apns_id)
        self._respond(stream_id, response)

    def _respond(self, stream_id: int, response: ApnsResponse) -> None:
        if self._transport is None or self._transport.is_closing():
            return
        body = response.body
        headers = [(":status", str(response.status)), ("apns-id", response.apns_id)]
        if body:
            headers.append(("content-type", "application/json"))
            headers.append(("content-length", str(len(body))))
        try:
            self._conn.send_headers(stream_id, headers, end_stream=not body)
            if body:
                if self._conn.local_flow_control_window(stream_id) < len(body):
                    # The client never opened its receive window: close so it reconnects.
                    self._conn.close_connection(error_code=ErrorCodes.FLOW_CONTROL_ERROR)
                    self._flush()
                    self.close()
                    return
                self._conn.send_data(stream_id, body, end_stream=True)
        except H2Error:
            return  # the client reset the stream meanwhile
        self._flush()

    # -- plumbing -----------------------------------------------------------------------
    def _flush(self) -> None:
        data = self._conn.data_to_send()
        if data and self._transport is not None and not self._transport.is_closing():
            self._transport.write(data)

    def close(self) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.close()

    def shutdown(self) -> None:
        """GOAWAY, then close (the mock stops)."""
        with contextlib.suppress(H2Error):
            self._conn.close_connection()
        self._flush()
        self.close()


class ApnsH2Server:
    """The HTTP/2 listener of the mock APNs on a free loopback port."""

    def __init__(self, handler: Handler, context: ssl.SSLContext) -> None:
        self.handler = handler
        self._context = context
        self._server: asyncio.Server | None = None
        self.connections: set[ApnsConnection] = set()
        self.port: int | None = None

    async def start(self) -> None:
        if self._server is not None:
            return
        sock = bind_loopback()
        self.port = sock.getsockname()[1]
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: ApnsConnection(self), sock=sock, ssl=self._context
        )

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        connections = list(self.connections)
        for connection in connections:
            connection.shutdown()
        if connections:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(2.0):
                    await asyncio.gather(*(c.closed for c in connections))
        await server.wait_closed()
        self.port = None
