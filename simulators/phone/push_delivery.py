"""The phone's seam to its push service (mock FCM or APNs, device side).

``PushDelivery`` is what the phone needs from the mock services: register the
app for a token (and the registration secret that alone may open its stream),
hold a delivery stream for it (closing the stream is going offline), and
unregister the token when the app is uninstalled. The suite
adapts ``simulators.delivery.client`` to it; tests use an in-memory queue.

``parse_ended`` reads the core's silent "request ended" notice instead.
``parse_push`` turns a delivered payload (FCM data + notification, or the APNs
JSON) into ``PushContent``: the serial, the request ID, and either the sealed
request itself or the challengeKey to fetch it with, plus the alert text.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from simulators.phone.identity import AppInfo, Platform
from simulators.phone.inbox import DEFAULT_SUBJECT, DEFAULT_TITLE


class DeliveredPush(Protocol):
    """Structurally the delivery client's ``DeliveredNotification``."""

    @property
    def service(self) -> str: ...

    @property
    def token(self) -> str: ...

    @property
    def message_id(self) -> str: ...

    @property
    def payload(self) -> Mapping[str, Any]: ...

    @property
    def received_at(self) -> float: ...


class PushTokenRevoked(Exception):
    """The push service no longer knows the token (e.g. an "app uninstalled" fault)."""

    def __init__(self, token: str) -> None:
        super().__init__("the push service unregistered this device token")
        self.token = token


@dataclass(frozen=True)
class PushRegistration:
    """A push token and the secret that proves it is ours when the stream opens."""

    token: str
    secret: str | None = field(default=None, repr=False)


class PushSecretRefused(PushTokenRevoked):
    """The push service refused the token's registration secret: the token is useless to us."""


class PushDelivery(Protocol):
    async def register(self, *, platform: Platform, app: AppInfo) -> PushRegistration:
        """A registration token (FCM) or a 64-hex device token (APNs), with its secret."""
        ...

    def notifications(
        self,
        token: str,
        *,
        secret: str | None = None,
        on_online: Callable[[], None] | None = None,
    ) -> AsyncIterator[DeliveredPush]:
        """Delivered notifications until the stream is closed (going offline).

        ``secret`` is the token's registration secret. ``on_online`` is called
        once the service holds the connection. Raises ``PushTokenRevoked`` when
        the service unregistered the token or refuses its secret.
        """
        ...

    async def unregister(self, token: str) -> None: ...


class NotAPushSimPush(ValueError):
    """The payload is not a PushSim push-login notification."""


@dataclass(frozen=True, kw_only=True)
class PushContent:
    serial: str
    request_id: str
    request_message: str | None
    challenge_key: str | None
    title: str
    subject: str


def _alert(payload: Mapping[str, Any]) -> tuple[str | None, str | None]:
    notification = payload.get("notification")
    if isinstance(notification, Mapping):  # FCM
        return _str(notification.get("title")), _str(notification.get("body"))
    aps = payload.get("aps")
    if isinstance(aps, Mapping):  # APNs
        alert = aps.get("alert")
        if isinstance(alert, Mapping):
            return _str(alert.get("title")), _str(alert.get("body"))
        return None, _str(alert)
    return None, None


def _fields(payload: Mapping[str, Any]) -> Mapping[str, Any]:
    """The custom keys: FCM's ``data``, or the APNs payload's top level."""
    data = payload.get("data")
    return data if isinstance(data, Mapping) else payload


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def parse_push(payload: Mapping[str, Any]) -> PushContent:
    """Read a delivered FCM or APNs payload; raise NotAPushSimPush if it is none of ours."""
    fields = _fields(payload)
    if str(fields.get("pushsim")) != "1":
        raise NotAPushSimPush("payload carries no pushsim marker")
    serial = _str(fields.get("serialNumber"))
    request_id = _str(fields.get("requestID"))
    request_message = _str(fields.get("requestMessage"))
    challenge_key = _str(fields.get("challengeKey"))
    if serial is None or request_id is None:
        raise NotAPushSimPush("payload lacks serialNumber or requestID")
    if (request_message is None) == (challenge_key is None):
        raise NotAPushSimPush("payload needs exactly one of requestMessage and challengeKey")
    title, subject = _alert(payload)
    return PushContent(
        serial=serial,
        request_id=request_id,
        request_message=request_message,
        challenge_key=challenge_key,
        title=title or DEFAULT_TITLE,
        subject=subject or DEFAULT_SUBJECT,
    )


@dataclass(frozen=True, kw_only=True)
class EndedNotice:
    """The core's silent "request ended" notice (docs/protocol.md §16.9)."""

    serial: str
    request_id: str
    outcome: str  # accepted | refused | timeout | cancelled (others: treat as cancelled)


def parse_ended(payload: Mapping[str, Any]) -> EndedNotice | None:
    """The notice, if ``payload`` is one (``type`` = ``ended``); None for anything else."""
    fields = _fields(payload)
    if str(fields.get("pushsim")) != "1" or fields.get("type") != "ended":
        return None
    serial, request_id = _str(fields.get("serialNumber")), _str(fields.get("requestID"))
    if serial is None or request_id is None:
        return None
    return EndedNotice(
        serial=serial, request_id=request_id, outcome=_str(fields.get("outcome")) or "cancelled"
    )


def request_id_of(push: DeliveredPush) -> str | None:
    """The session a delivered push is about (None for one that is not ours)."""
    try:
        return parse_push(push.payload).request_id
    except NotAPushSimPush:
        return None
