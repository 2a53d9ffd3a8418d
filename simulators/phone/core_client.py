"""The phone's one seam to the validation core: the device-facing HTTP API.

``CoreDeviceApi`` is the interface the authenticator app talks to; tests give
it an in-memory fake, the suite gives it ``HttpCoreDeviceApi`` (httpx over
loopback TLS, trusting the workspace CA). The client only carries bytes: the
app computes every signature and seals every message itself, so nothing secret
beyond what the wire protocol needs ever reaches this layer.

Foreign errors are translated here, once: transport failures become
``CoreUnreachable``, error answers become ``CoreApiError``. A response post the
core could not use (4xx with ``{message, check}``) is not an exception but a
``ResponseReceipt``: the phone shows what the core said.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypedDict
from urllib.parse import quote

import httpx

from core.step_gate import NO_GATE, Gate
from simulators.phone.errors import CoreApiError, CoreUnreachable

DECIDED_STATUSES = frozenset({"accepted", "refused", "timeout", "failure"})


@dataclass(frozen=True, kw_only=True)
class ResponseReceipt:
    """What the core answered to a posted response."""

    http_status: int
    request_id: str | None = None
    session_status: str | None = None  # set when the message decided the session
    reason: str | None = None
    check: str | None = None  # the failed check when the message could not decide it
    message: str | None = None

    @property
    def decided(self) -> bool:
        return self.http_status == 200 and self.session_status in DECIDED_STATUSES

    def describe(self) -> dict[str, Any]:
        shown: dict[str, Any] = {"httpStatus": self.http_status}
        for key, value in (
            ("requestID", self.request_id),
            ("sessionStatus", self.session_status),
            ("reason", self.reason),
            ("check", self.check),
            ("message", self.message),
        ):
            if value is not None:
                shown[key] = value
        return shown


class NotificationRegistration(TypedDict):
    """Where the core should push for an authenticator, as on the wire (device-signed)."""

    platform: str
    pushToken: str
    appID: str
    time: float


class CoreDeviceApi(Protocol):
    """The device endpoints of contract section 2 (signatures computed by the caller)."""

    async def add_device(self, registration_id: str, device_code: str) -> str:
        """The portal step: device code in, activation message 2 (hex) out."""
        ...

    async def activate(self, registration_id: str, signature: str) -> str:
        """Returns the authenticator's serial number."""
        ...

    async def register_notifications(
        self, serial: str, registration: NotificationRegistration, *, signature: str
    ) -> None: ...

    async def pending(self, serial: str, *, time: float, signature: str) -> str | None:
        """The newest pending request message (hex), or None."""
        ...

    async def fetch_challenge(self, serial: str, challenge_key: str) -> str:
        """The request message (hex) a push referred to by challengeKey (once)."""
        ...

    async def post_response(self, serial: str, response_message: str) -> ResponseReceipt: ...


def _segment(value: str) -> str:
    return quote(value, safe="")


class HttpCoreDeviceApi:
    """``CoreDeviceApi`` over HTTPS with httpx (inject ``client`` to test without sockets)."""

    def __init__(
        self,
        base_url: str,
        *,
        ca_file: Path | None = None,
        client: httpx.AsyncClient | None = None,
        timeout: float = 10.0,
        gate: Gate = NO_GATE,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._gate = gate  # a step held by step mode may take as long as the trainer talks
        if client is not None:
            self._client = client
            self._owns_client = False
        else:
            verify: ssl.SSLContext | bool = True
            if ca_file is not None:
                verify = ssl.create_default_context(cafile=str(ca_file))
            # HTTP/1.1 on a kept-alive connection: one answer at a time is all a phone
            # needs, and in Python the HTTP/2 stacks (httpx + h2, hypercorn) cost about
            # 2 ms more CPU per request, both ends together (a push login at
            # concurrency 1: 9.8 -> 7.8 ms). The core serves either.
            self._client = httpx.AsyncClient(verify=verify, timeout=timeout)
            self._owns_client = True

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    async def _send(
        self,
        method: str,
        path: str,
        *,
        json: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
    ) -> httpx.Response:
        try:
            return await self._client.request(
                method,
                f"{self.base_url}/v1{path}",
                json=json,
                params=params,
                timeout=None if self._gate.enabled else httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.TransportError as exc:
            raise CoreUnreachable(type(exc).__name__) from exc

    @staticmethod
    def _body(response: httpx.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}

    def _checked(self, response: httpx.Response) -> dict[str, Any]:
        body = self._body(response)
        if response.is_success:
            return body
        message = str(body.get("message") or response.reason_phrase or "error")
        check = body.get("check")
        raise CoreApiError(
            response.status_code, message, check=str(check) if check is not None else None
        )

    async def _post_for_text(self, path: str, body: dict[str, Any], key: str) -> str:
        """POST ``body`` to ``path``; the answer's text field ``key``."""
        value = self._checked(await self._send("POST", path, json=body)).get(key)
        if not isinstance(value, str):
            raise CoreApiError(502, f"core answer lacks {key!r}")
        return value

    async def add_device(self, registration_id: str, device_code: str) -> str:
        return await self._post_for_text(
            f"/registrations/{_segment(registration_id)}/add-device",
            {"deviceCode": device_code},
            "activationMessage2",
        )

    async def activate(self, registration_id: str, signature: str) -> str:
        return await self._post_for_text(
            f"/registrations/{_segment(registration_id)}/activate",
            {"signature": signature},
            "serialNumber",
        )

    async def register_notifications(
        self, serial: str, registration: NotificationRegistration, *, signature: str
    ) -> None:
        response = await self._send(
            "POST",
            f"/authenticators/{_segment(serial)}/notification-registration",
            json={**registration, "signature": signature},
        )
        self._checked(response)

    async def pending(self, serial: str, *, time: float, signature: str) -> str | None:
        response = await self._send(
            "GET",
            f"/authenticators/{_segment(serial)}/pending",
            params={"time": repr(time), "signature": signature},
        )
        message = self._checked(response).get("requestMessage")
        return message if isinstance(message, str) else None

    async def fetch_challenge(self, serial: str, challenge_key: str) -> str:
        return await self._post_for_text(
            "/push/secure-challenge",
            {"serialNumber": serial, "challengeKey": challenge_key},
            "requestMessage",
        )

    async def post_response(self, serial: str, response_message: str) -> ResponseReceipt:
        response = await self._send(
            "POST",
            "/push/response",
            json={"serialNumber": serial, "responseMessage": response_message},
        )
        body = self._body(response)
        if response.status_code >= 500:
            self._checked(response)  # raises

        def text(key: str) -> str | None:
            value = body.get(key)
            return value if isinstance(value, str) else None

        return ResponseReceipt(
            http_status=response.status_code,
            request_id=text("requestID"),
            session_status=text("sessionStatus"),
            reason=text("reason"),
            check=text("check"),
            message=text("message"),
        )
