"""The phone's link to its push service: the delivery stream and network chores.

Holding the delivery stream is being online: the link opens it when the phone
is started, out of airplane mode, and its app holds a push token; it closes it
otherwise (the mock then stores pushes for later). A stream that breaks is
reopened with backoff; a token the service revoked stops the stream until the
app registers again, and one whose registration secret the service refuses is
unregistered and replaced by a new registration at once. Coming online also
finishes what needed the network while there was none: unregistering the
tokens of an uninstalled app, and a push registration the core has not seen
yet.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from enum import StrEnum
from typing import Any, Protocol

from core.events import Event
from core.step_gate import Gate
from simulators.phone.event_details import PushTokenDetails
from simulators.phone.event_kinds import PhoneEvent
from simulators.phone.push_delivery import (
    DeliveredPush,
    PushDelivery,
    PushSecretRefused,
    PushTokenRevoked,
    request_id_of,
)

log = logging.getLogger(__name__)

STREAM_RETRY_INITIAL = 0.1
STREAM_RETRY_MAX = 5.0
CONNECT_SETTLE = 1.0  # seconds stop() lets a stream connection in the making finish


class DeliveryState(StrEnum):
    OFFLINE = "offline"  # no stream (airplane mode, no token, stopped, revoked)
    CONNECTING = "connecting"  # opening the stream, or waiting to retry
    ONLINE = "online"  # the push service holds our stream


class LinkHost(Protocol):
    """What the link needs from the phone it runs on (the phone is not imported here)."""

    @property
    def gate(self) -> Gate: ...

    @property
    def airplane_mode(self) -> bool: ...

    @property
    def push_token(self) -> str | None:
        """The installed app's push token, if it holds one."""
        ...

    @property
    def push_secret(self) -> str | None:
        """The registration secret the push service issued with ``push_token``."""
        ...

    def emit(self, kind: str, summary: str, **fields: Any) -> Event: ...

    def save(self) -> None: ...

    def delivery(self) -> PushDelivery:
        """The push service; raises PhoneOffline in airplane mode."""
        ...

    async def finish_push_registration(self) -> None:
        """Tell the core about the token if it has not heard of it (best effort)."""
        ...

    def push_token_revoked(self, token: str) -> None:
        """The service dropped ``token``: the app forgets it and registers again later."""
        ...


class DeliveryLink:
    def __init__(
        self,
        host: LinkHost,
        *,
        on_push: Callable[[DeliveredPush], object],
        orphan_tokens: list[str],
    ) -> None:
        self.host = host
        self._on_push = on_push
        self.started = False
        # Tokens of an uninstalled app that the service has not been told about.
        self.orphan_tokens = orphan_tokens
        self._stream: tuple[str, asyncio.Task[None]] | None = None
        self.state = DeliveryState.OFFLINE
        self._tasks: set[asyncio.Task[Any]] = set()
        self._connected = asyncio.Event()  # clear while a stream's connection is being made
        self._connected.set()

    @property
    def online(self) -> bool:
        return self.started and not self.host.airplane_mode

    @property
    def streaming_token(self) -> str | None:
        return self._stream[0] if self._stream else None

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run ``coroutine`` in the background; ``stop`` cancels it."""
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def stop(self) -> None:
        self.started = False
        self._stream = None
        self.state = DeliveryState.OFFLINE
        # Let a connection in the making finish first: httpcore loses the socket of a
        # TLS handshake cancelled half-way (it closes only on Exception), and the
        # socket then lingers until the collector finds it. On loopback this is ms.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(CONNECT_SETTLE):
                await self._connected.wait()
        tasks = list(self._tasks)  # the stream task is one of them
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def sync(self, *, catch_up: bool) -> None:
        """Open or close the stream to match the phone's state."""
        token = self.host.push_token if self.online else None
        if self._stream is not None and self._stream[0] != token:
            self._stream[1].cancel()  # closes the stream: the mock sees us go offline
            self._stream = None
            self.state = DeliveryState.OFFLINE
            self.host.emit(PhoneEvent.DELIVERY_OFFLINE, "delivery stream closed")
        if token is not None and self._stream is None:
            self._stream = (token, self.spawn(self._run_stream(token)))
        if self.online and catch_up:
            self.spawn(self._catch_up())

    def forget(self, token: str) -> None:
        """Unregister ``token`` with the service as soon as the phone is online."""
        self.orphan_tokens.append(token)
        self.host.save()

    async def _catch_up(self) -> None:
        host = self.host
        for token in list(self.orphan_tokens):
            try:
                await host.delivery().unregister(token)
            except Exception as exc:  # the service may be down: try again next time
                log.info("unregistering an old push token failed: %s", type(exc).__name__)
                continue
            self.orphan_tokens.remove(token)
            host.save()
            host.emit(
                PhoneEvent.PUSH_UNREGISTERED,
                "old push token unregistered",
                details=PushTokenDetails(token=token),
            )
        await host.finish_push_registration()

    async def _run_stream(self, token: str) -> None:
        host = self.host
        delay = STREAM_RETRY_INITIAL

        def online() -> None:
            self._connected.set()
            self.state = DeliveryState.ONLINE
            host.emit(
                PhoneEvent.DELIVERY_ONLINE,
                "delivery stream open",
                details=PushTokenDetails(token=token),
            )

        while True:
            self.state = DeliveryState.CONNECTING
            host.emit(PhoneEvent.DELIVERY_CONNECTING, "connecting to the push service")
            stream: AsyncIterator[DeliveredPush] | None = None
            self._connected.clear()
            try:
                stream = host.delivery().notifications(
                    token, secret=host.push_secret, on_online=online
                )
                async for push in stream:
                    delay = STREAM_RETRY_INITIAL
                    await host.gate.reach(4, request_id_of(push))  # step mode: before step 4
                    self._on_push(push)
                self.state = DeliveryState.CONNECTING  # retried below
                host.emit(PhoneEvent.DELIVERY_CLOSED, "the push service closed the stream")
            except PushTokenRevoked as exc:
                # stop listening; the app's next register_push gets a new token
                if self._stream is not None and self._stream[0] == token:
                    self._stream = None
                self.state = DeliveryState.OFFLINE
                host.push_token_revoked(token)
                if isinstance(exc, PushSecretRefused) and self.online:
                    # our secret no longer opens the token (storage from before
                    # secrets): drop the token with the service, register anew now
                    self.forget(token)
                    self.spawn(self._catch_up())
                return
            except Exception as exc:  # the service is down or restarting: retry
                self.state = DeliveryState.CONNECTING  # retried below
                host.emit(
                    PhoneEvent.DELIVERY_ERROR, f"delivery stream failed: {type(exc).__name__}"
                )
            finally:
                self._connected.set()
                aclose = getattr(stream, "aclose", None)
                if aclose is not None:
                    with contextlib.suppress(Exception):
                        await aclose()
            await asyncio.sleep(delay)
            delay = min(delay * 2, STREAM_RETRY_MAX)
