"""The delivery stream's wire format: one JSON object per line (NDJSON).

A device holds ``GET /pushsim/v1/devices/{token}/stream`` open; the mock writes

- ``{"type": "hello", "service", "token", "online"}`` once connected,
- ``{"type": "notification", "service", "token", "messageId", "payload", "deliveredAt"}``,
- ``{"type": "ping"}`` now and then (keeps proxies and dead peers honest),
- ``{"type": "end", "reason", "at"}`` before the mock closes the stream
  (``unregistered``: the app was uninstalled; ``replaced``: the device opened
  a newer stream; ``shutdown``: the mock stops).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from simulators.delivery.registry import Service
from simulators.delivery.store import Notification

STREAM_MEDIA_TYPE = "application/x-ndjson"


@dataclass(frozen=True, kw_only=True)
class DeliveredNotification:
    """A notification as the phone receives it.

    ``payload`` is what the app sees: for APNs the JSON payload; for FCM the
    ``data`` key-value pairs plus, when the message had one, ``notification``
    (``{"title", "body"}``). ``received_at`` is the mock's clock at delivery.
    """

    service: Service
    token: str
    message_id: str
    payload: Mapping[str, Any]
    received_at: float


@dataclass(frozen=True, kw_only=True)
class StreamEnd:
    reason: str
    at: float | None = None


def _line(data: Mapping[str, Any]) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode("utf-8") + b"\n"


def hello_line(*, service: Service, token: str, online: bool) -> bytes:
    return _line({"type": "hello", "service": service, "token": token, "online": online})


def notification_line(notification: Notification, *, delivered_at: float) -> bytes:
    return _line(
        {
            "type": "notification",
            "service": notification.service,
            "token": notification.token,
            "messageId": notification.message_id,
            "payload": notification.payload,
            "deliveredAt": delivered_at,
        }
    )


def end_line(end: StreamEnd) -> bytes:
    return _line({"type": "end", "reason": end.reason, "at": end.at})


PING_LINE = _line({"type": "ping"})


def parse_notification(data: Mapping[str, Any]) -> DeliveredNotification:
    """A ``notification`` line as a ``DeliveredNotification``; ``ValueError`` if malformed."""
    service = data.get("service")
    payload = data.get("payload")
    if service not in ("fcm", "apns") or not isinstance(payload, dict):
        raise ValueError("malformed notification line")
    try:
        return DeliveredNotification(
            service=service,
            token=str(data["token"]),
            message_id=str(data["messageId"]),
            payload=payload,
            received_at=float(data["deliveredAt"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError("malformed notification line") from exc
