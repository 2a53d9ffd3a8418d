"""Plugs the mock services' device clients (``simulators.delivery.client``) into a phone.

The phone speaks ``PushDelivery``; the delivery clients speak per service
(FCM: project + app ID; APNs: bundle ID + environment). This adapter maps one
onto the other and translates the client's errors at this one boundary: a
token the service unregistered becomes ``PushTokenRevoked``, one whose
registration secret it refuses ``PushSecretRefused``, anything else a
``PushServiceError``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import aclosing
from typing import Any

from simulators.delivery.client import (
    ApnsDeviceClient,
    DeliveryError,
    DeviceSecretRefusedError,
    DeviceUnregisteredError,
    FcmDeviceClient,
)
from simulators.phone.identity import AppInfo, Platform
from simulators.phone.push_delivery import (
    DeliveredPush,
    PushRegistration,
    PushSecretRefused,
    PushTokenRevoked,
)


class PushServiceError(Exception):
    """The push service refused a device request or could not be reached."""


class DeliveryClientAdapter:
    """``PushDelivery`` over an ``FcmDeviceClient`` or ``ApnsDeviceClient``."""

    def __init__(self, client: FcmDeviceClient | ApnsDeviceClient) -> None:
        self.client = client

    async def register(self, *, platform: Platform, app: AppInfo) -> PushRegistration:
        try:
            if isinstance(self.client, FcmDeviceClient):
                if platform is not Platform.ANDROID:
                    raise PushServiceError("an iOS phone cannot register with FCM here")
                token = await self.client.register(app.fcm_project_id, app.app_id)
            else:
                if platform is not Platform.IOS:
                    raise PushServiceError("an Android phone cannot register with APNs")
                token = await self.client.register(app.app_id, app.apns_environment.value)
        except DeliveryError as exc:
            raise PushServiceError(str(exc)) from exc
        return PushRegistration(token, self.client.secrets.pop(token, None))

    async def notifications(
        self,
        token: str,
        *,
        secret: str | None = None,
        on_online: Callable[[], None] | None = None,
    ) -> AsyncIterator[DeliveredPush]:
        stream: Any = self.client.notifications(token, secret=secret, on_online=on_online)
        try:
            async with aclosing(stream):
                async for notification in stream:
                    yield notification
        except DeviceUnregisteredError as exc:
            raise PushTokenRevoked(token) from exc
        except DeviceSecretRefusedError as exc:
            raise PushSecretRefused(token) from exc
        except DeliveryError as exc:
            raise PushServiceError(str(exc)) from exc

    async def unregister(self, token: str) -> None:
        try:
            await self.client.unregister(token)
        except DeliveryError as exc:
            raise PushServiceError(str(exc)) from exc

    async def aclose(self) -> None:
        await self.client.aclose()
