"""What a phone uses to reach a mock push service: register, listen, uninstall.

The phone may live in another process: everything goes over loopback HTTPS,
trusting the workspace CA. ``notifications(token)`` holds the delivery stream
open and yields each ``DeliveredNotification``; holding it is being online,
closing it (``aclose()`` on the iterator, or leaving an
``async with contextlib.aclosing(...)`` block) is going offline, and calling it
again is reconnecting, which first delivers whatever the mock stored meanwhile.
The stream proves the registration secret the mock answered at ``register``:
the client remembers the secrets it was issued (``secrets``), and a caller that
keeps them elsewhere (a phone's storage) passes ``secret=`` itself.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx

from simulators.delivery.access import SECRET_HEADER
from simulators.delivery.registry import Service
from simulators.delivery.routes import DEVICE_PREFIX
from simulators.delivery.wire import DeliveredNotification, parse_notification
from simulators.workspace_http import WorkspaceHttpClient

__all__ = [
    "ApnsDeviceClient",
    "DeliveredNotification",
    "DeliveryClient",
    "DeliveryError",
    "DeviceSecretRefusedError",
    "DeviceUnregisteredError",
    "FcmDeviceClient",
]


class DeliveryError(Exception):
    """The mock refused a device request or the stream broke."""


class DeviceUnregisteredError(DeliveryError):
    """The token was unregistered (the app was uninstalled)."""

    def __init__(self, token: str, unregistered_at: float | None) -> None:
        super().__init__(f"device token unregistered at {unregistered_at}")
        self.token = token
        self.unregistered_at = unregistered_at


class DeviceSecretRefusedError(DeliveryError):
    """The mock refused the stream: no registration secret, or not this token's (401/403)."""

    def __init__(self, token: str, status: int) -> None:
        super().__init__(f"stream refused: HTTP {status} (registration secret)")
        self.token = token
        self.status = status


class DeliveryClient(WorkspaceHttpClient):
    """Device-side connection to one mock service (``base_url`` = its ``device_url``)."""

    service: Service

    def __init__(self, base_url: str, ca_file: Path | str, *, timeout: float = 10.0) -> None:
        super().__init__(base_url, ca_file, timeout=timeout)
        self.secrets: dict[str, str] = {}  # token -> registration secret, as issued

    async def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = await self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"{method} {path}: {exc}") from exc
        try:
            data = response.json()
        except ValueError:
            data = {}
        if response.status_code >= 400:
            message = data.get("message", response.reason_phrase) if isinstance(data, dict) else ""
            raise DeliveryError(f"{method} {path} -> {response.status_code}: {message}")
        if not isinstance(data, dict):
            raise DeliveryError(f"{method} {path}: unexpected answer")
        return data

    async def _register(self, body: dict[str, str]) -> str:
        data = await self._request("POST", DEVICE_PREFIX, json=body)
        token, secret = str(data["token"]), data.get("registrationSecret")
        if isinstance(secret, str):
            self.secrets[token] = secret
        return token

    async def state(self, token: str) -> dict[str, Any]:
        """Registration and online state of ``token`` as the mock sees it."""
        return await self._request("GET", f"{DEVICE_PREFIX}/{token}")

    async def unregister(self, token: str) -> None:
        """The app was uninstalled: the mock unregisters the token."""
        await self._request("DELETE", f"{DEVICE_PREFIX}/{token}")

    async def notifications(
        self,
        token: str,
        *,
        secret: str | None = None,
        on_online: Callable[[], None] | None = None,
    ) -> AsyncIterator[DeliveredNotification]:
        """Go online and yield notifications until the mock ends the stream.

        ``secret`` is the token's registration secret (default: the one this
        client was issued). ``on_online`` is called once the mock has
        registered the connection (notifications sent after that reach this
        iterator). Raises ``DeviceUnregisteredError`` when the token is (or
        becomes) unregistered, ``DeviceSecretRefusedError`` when the mock
        refuses the secret.
        """
        path = f"{DEVICE_PREFIX}/{token}/stream"
        timeout = httpx.Timeout(self._http.timeout.connect, read=None)
        secret = secret or self.secrets.get(token)
        headers = {SECRET_HEADER: secret} if secret else {}
        try:
            async with self._http.stream("GET", path, timeout=timeout, headers=headers) as response:
                if response.status_code in (401, 403):
                    await response.aread()
                    raise DeviceSecretRefusedError(token, response.status_code)
                if response.status_code == 410:
                    body = json.loads(await response.aread())
                    raise DeviceUnregisteredError(token, body.get("unregisteredAt"))
                if response.status_code != 200:
                    await response.aread()
                    raise DeliveryError(f"stream refused: HTTP {response.status_code}")
                async for line in response.aiter_lines():
                    if not line.strip():
                        continue
                    data = json.loads(line)
                    kind = data.get("type")
                    if kind == "hello":
                        if on_online is not None:
                            on_online()
                    elif kind == "notification":
                        yield parse_notification(data)
                    elif kind == "end":
                        if data.get("reason") == "unregistered":
                            raise DeviceUnregisteredError(token, data.get("at"))
                        return
        except (httpx.HTTPError, ValueError) as exc:
            raise DeliveryError(f"delivery stream broke: {exc}") from exc


class FcmDeviceClient(DeliveryClient):
    service: Service = "fcm"

    async def register(self, project_id: str, app_id: str) -> str:
        """A registration token for the app ``app_id`` of the sender ``project_id``."""
        return await self._register({"projectId": project_id, "appId": app_id})


class ApnsDeviceClient(DeliveryClient):
    service: Service = "apns"

    async def register(self, bundle_id: str, environment: str = "sandbox") -> str:
        """A 64-hex device token for ``bundle_id`` in ``environment`` (sandbox|production)."""
        return await self._register({"bundleId": bundle_id, "environment": environment})
