"""The phone's link to its push service: the delivery stream and network chores.

Holding the delivery stream is being online: the link opens it when the phone
is started, out of airplane mode, and its app holds a push token; it closes it
otherwise (the mock then stores pushes for later). A stream that breaks is
reopened with backoff; a token the service revoked stops the stream until the
app registers again. Coming online also finishes what needed the network while
there was none: unregistering the tokens of an uninstalled app, and a push
registration the core has not seen yet.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Coroutine
from typing import TYPE_CHECKING, Any

from simulators.phone.event_kinds import PhoneEvent
from simulators.phone.push_delivery import DeliveredPush, PushTokenRevoked

if TYPE_CHECKING:
    from simulators.phone.phone import Phone

log = logging.getLogger(__name__)

STREAM_RETRY_INITIAL = 0.1
STREAM_RETRY_MAX = 5.0


class DeliveryLink:
    def __init__(self, phone: Phone, *, orphan_tokens: list[str]) -> None:
        self.phone = phone
        self.started = False
        # Tokens of an uninstalled app that the service has not been told about.
        self.orphan_tokens = orphan_tokens
        self._stream: tuple[str, asyncio.Task[None]] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def online(self) -> bool:
        return self.started and not self.phone.settings.airplane_mode

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
        tasks = list(self._tasks)  # the stream task is one of them
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def sync(self, *, catch_up: bool) -> None:
        """Open or close the stream to match the phone's state."""
        state = self.phone.app.state
        token = state.push_token if self.online and state.installed else None
        if self._stream is not None and self._stream[0] != token:
            self._stream[1].cancel()  # closes the stream: the mock sees us go offline
            self._stream = None
            self.phone.emit(PhoneEvent.DELIVERY_OFFLINE, "delivery stream closed")
        if token is not None and self._stream is None:
            self._stream = (token, self.spawn(self._run_stream(token)))
        if self.online and catch_up:
            self.spawn(self._catch_up())

    def forget(self, token: str) -> None:
        """Unregister ``token`` with the service as soon as the phone is online."""
        self.orphan_tokens.append(token)
        self.phone.save()

    async def _catch_up(self) -> None:
        phone = self.phone
        for token in list(self.orphan_tokens):
            try:
                await phone.delivery().unregister(token)
            except Exception as exc:  # the service may be down: try again next time
                log.info("unregistering an old push token failed: %s", type(exc).__name__)
                continue
            self.orphan_tokens.remove(token)
            phone.save()
            phone.emit(
                PhoneEvent.PUSH_UNREGISTERED,
                "old push token unregistered",
                details={"token": token},
            )
        if phone.app.state.activated and not phone.app.state.core_registered:
            await phone.ensure_push_registration()

    async def _run_stream(self, token: str) -> None:
        phone = self.phone
        delay = STREAM_RETRY_INITIAL

        def online() -> None:
            phone.emit(PhoneEvent.DELIVERY_ONLINE, "delivery stream open", details={"token": token})

        while True:
            phone.emit(PhoneEvent.DELIVERY_CONNECTING, "connecting to the push service")
            stream: AsyncIterator[DeliveredPush] | None = None
            try:
                stream = phone.delivery().notifications(token, on_online=online)
                async for push in stream:
                    delay = STREAM_RETRY_INITIAL
                    phone.receiver.receive_push(push)
                phone.emit(PhoneEvent.DELIVERY_CLOSED, "the push service closed the stream")
            except PushTokenRevoked:
                self._token_revoked(token)
                return
            except Exception as exc:  # the service is down or restarting: retry
                phone.emit(
                    PhoneEvent.DELIVERY_ERROR, f"delivery stream failed: {type(exc).__name__}"
                )
            finally:
                aclose = getattr(stream, "aclose", None)
                if aclose is not None:
                    with contextlib.suppress(Exception):
                        await aclose()
            await asyncio.sleep(delay)
            delay = min(delay * 2, STREAM_RETRY_MAX)

    def _token_revoked(self, token: str) -> None:
        """The service dropped our token: stop listening; ``register_push`` gets a new one."""
        state = self.phone.app.state
        if state.push_token == token:
            state.push_token = None
            state.core_registered = False
            self.phone.save()
        if self._stream is not None and self._stream[0] == token:
            self._stream = None
        self.phone.emit(
            PhoneEvent.PUSH_TOKEN_REVOKED,
            "the push service unregistered this phone's token",
            details={"token": token},
        )
