"""Helpers shared by the mock push service tests (plain functions, no fixtures).

Kept out of a conftest so the fixtures of neighbouring test packages (phones)
and these helpers cannot shadow each other.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import ssl
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h2.config
import h2.connection
import h2.events
import jwt
from cryptography.hazmat.primitives import serialization

from core.clock import Clock
from core.events import Event, EventBus
from core.pki import PkiMaterial, client_ssl_context, ensure_pki
from core.provider_credentials import ProviderCredentials, ensure_provider_credentials
from core.workspace import Workspace
from simulators.apns.server import ApnsMock
from simulators.delivery.client import DeliveredNotification, DeliveryClient
from simulators.delivery.faults import FaultPlan
from simulators.fcm.server import FcmMock


@dataclass(frozen=True)
class Material:
    workspace: Workspace
    pki: PkiMaterial
    creds: ProviderCredentials


def make_material(root: Path) -> Material:
    workspace = Workspace(root).ensure()
    pki = ensure_pki(workspace)
    return Material(workspace, pki, ensure_provider_credentials(workspace, pki))


@contextlib.asynccontextmanager
async def running_fcm(
    material: Material, events: EventBus, clock: Clock, **kwargs: Any
) -> AsyncIterator[FcmMock]:
    mock = FcmMock(
        pki=material.pki,
        credentials=material.creds,
        events=events,
        clock=clock,
        faults=kwargs.pop("faults", FaultPlan(seed=7)),
        **kwargs,
    )
    await mock.start()
    try:
        yield mock
    finally:
        await mock.stop()


@contextlib.asynccontextmanager
async def running_apns(
    material: Material, events: EventBus, clock: Clock, **kwargs: Any
) -> AsyncIterator[ApnsMock]:
    mock = ApnsMock(
        pki=material.pki,
        credentials=material.creds,
        events=events,
        clock=clock,
        faults=kwargs.pop("faults", FaultPlan(seed=7)),
        **kwargs,
    )
    await mock.start()
    try:
        yield mock
    finally:
        await mock.stop()


def kind_is(kind: str, **details: Any) -> Callable[[Event], bool]:
    def predicate(event: Event) -> bool:
        return event.kind == kind and all(event.details.get(k) == v for k, v in details.items())

    return predicate


class DeviceListener:
    """A phone's delivery stream, run in the background, notifications queued."""

    def __init__(self, client: DeliveryClient, token: str, events: EventBus) -> None:
        self._client = client
        self.token = token
        self._events = events
        self.online = asyncio.Event()
        self.received: asyncio.Queue[DeliveredNotification] = asyncio.Queue()
        self.error: BaseException | None = None
        self.ended = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> DeviceListener:
        self.online.clear()
        self._task = asyncio.create_task(self._run())
        online = asyncio.ensure_future(self.online.wait())
        ended = asyncio.ensure_future(self.ended.wait())
        async with asyncio.timeout(5):
            await asyncio.wait({online, ended}, return_when=asyncio.FIRST_COMPLETED)
        online.cancel()
        ended.cancel()
        if not self.online.is_set() and self.error is not None:
            raise self.error
        return self

    async def _run(self) -> None:
        stream = self._client.notifications(self.token, on_online=self.online.set)
        try:
            async with contextlib.aclosing(stream):  # type: ignore[type-var]
                async for notification in stream:
                    self.received.put_nowait(notification)
        except Exception as exc:
            self.error = exc
        finally:
            self.ended.set()

    async def next(self, wait: float = 5.0) -> DeliveredNotification:
        async with asyncio.timeout(wait):
            return await self.received.get()

    async def stop(self, service: str) -> None:
        """Go offline and wait until the mock has noticed."""
        task, self._task = self._task, None
        if task is None:
            return
        gone = asyncio.ensure_future(
            self._events.wait_for(kind_is(f"{service}.device_offline", token=self.token))
        )
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await gone


# -- provider credentials used by hand (tests that drive the mock's clock) ----------------
def apns_provider_token(creds: ProviderCredentials, *, iat: float, key: Any = None) -> str:
    return jwt.encode(
        {"iss": creds.apns_team_id, "iat": int(iat)},
        key if key is not None else creds.apns_key_file.read_text(),
        algorithm="ES256",
        headers={"kid": creds.apns_key_id},
    )


def apns_headers(material: Material, clock: Clock, **extra: str) -> list[tuple[str, str]]:
    """An alert push's HTTP/2 headers with a fresh provider token.

    ``extra`` adds or replaces headers (``apns_expiration="0"``); a value of
    ``"<omit>"`` leaves that header out.
    """
    token = apns_provider_token(material.creds, iat=clock.now())
    base = {
        "authorization": f"bearer {token}",
        "apns-topic": material.creds.apns_bundle_id,
        "apns-push-type": "alert",
        "apns-priority": "10",
    }
    base.update({k.replace("_", "-"): v for k, v in extra.items()})
    return [(k, v) for k, v in base.items() if v != "<omit>"]


def fcm_assertion(
    creds: ProviderCredentials,
    *,
    now: float,
    aud: str = "https://oauth2.googleapis.com/token",
    scope: str = "https://www.googleapis.com/auth/firebase.messaging",
    iss: str | None = None,
    lifetime: int = 3600,
    key: Any = None,
) -> str:
    account = creds.service_account()
    return jwt.encode(
        {
            "iss": iss or account["client_email"],
            "aud": aud,
            "scope": scope,
            "iat": int(now),
            "exp": int(now) + lifetime,
        },
        key if key is not None else _private_key(account["private_key"]),
        algorithm="RS256",
        headers={"kid": account["private_key_id"]},
    )


@functools.cache
def _private_key(pem: str) -> Any:
    return serialization.load_pem_private_key(pem.encode(), password=None)


# -- a raw HTTP/2 client: sees frames as h2 events, speaks prior knowledge ------------------
@dataclass
class H2Answer:
    headers: dict[str, str]
    headers_ended_stream: bool
    data_frames: list[bytes] = field(default_factory=list)

    @property
    def status(self) -> int:
        return int(self.headers[":status"])

    @property
    def json(self) -> Any:
        return json.loads(b"".join(self.data_frames))


class RawH2Client:
    """One HTTP/2 connection over TLS with or without ALPN; records frame-level facts."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self._conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
        self._conn.initiate_connection()
        self._writer.write(self._conn.data_to_send())

    @classmethod
    async def connect(
        cls,
        port: int,
        ca_file: Path,
        *,
        alpn: list[str] | None = None,
        cert: tuple[Path, Path] | None = None,
    ) -> RawH2Client:
        context: ssl.SSLContext = client_ssl_context(ca_file, cert=cert)
        if alpn:
            context.set_alpn_protocols(alpn)
        reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=context)
        return cls(reader, writer)

    @property
    def alpn(self) -> str | None:
        ssl_object = self._writer.get_extra_info("ssl_object")
        return None if ssl_object is None else ssl_object.selected_alpn_protocol()

    async def request(
        self,
        path: str,
        body: bytes,
        headers: list[tuple[str, str]],
        method: str = "POST",
        authority: str = "127.0.0.1",
    ) -> H2Answer:
        stream_id = self._conn.get_next_available_stream_id()
        self._conn.send_headers(
            stream_id,
            [
                (":method", method),
                (":scheme", "https"),
                (":path", path),
                (":authority", authority),
                *headers,
            ],
            end_stream=not body,
        )
        if body:
            self._conn.send_data(stream_id, body, end_stream=True)
        self._writer.write(self._conn.data_to_send())
        answer: H2Answer | None = None
        async with asyncio.timeout(5):
            while True:
                data = await self._reader.read(65536)
                if not data:
                    raise ConnectionError("server closed the connection")
                for event in self._conn.receive_data(data):
                    if getattr(event, "stream_id", None) != stream_id:
                        continue
                    if isinstance(event, h2.events.ResponseReceived):
                        answer = H2Answer(
                            headers={k.decode(): v.decode() for k, v in event.headers or ()},
                            headers_ended_stream=event.stream_ended is not None,
                        )
                    elif isinstance(event, h2.events.DataReceived) and answer is not None:
                        answer.data_frames.append(event.data or b"")
                        self._conn.acknowledge_received_data(
                            event.flow_controlled_length or 0, stream_id
                        )
                    elif isinstance(event, h2.events.StreamEnded) and answer is not None:
                        self._writer.write(self._conn.data_to_send())
                        return answer
                self._writer.write(self._conn.data_to_send())

    async def close(self) -> None:
        self._conn.close_connection()
        self._writer.write(self._conn.data_to_send())
        self._writer.close()
        with contextlib.suppress(OSError, ssl.SSLError):
            await self._writer.wait_closed()
