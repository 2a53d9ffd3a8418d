"""Validation of an FCM HTTP v1 send request, as the real endpoint does it.

``{"message": {...}, "validate_only": bool}`` where the message has exactly one
target (``token``, ``fid`` — which firebase-admin 7 sends —, ``topic`` or
``condition``), ``data`` values that are strings only, ``android.priority``
``normal``/``high`` in any case, ``android.ttl`` a duration such as ``"3.5s"``,
and a data + notification payload of at most 4096 bytes. Field names are
accepted in snake_case and lowerCamelCase, as proto3 JSON allows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from core.protocol.errors import PushSimError
from core.protocol.strict_json import StrictJsonError, read_json

PAYLOAD_LIMIT = 4096
MAX_TTL = 28 * 24 * 3600  # FCM keeps messages four weeks at most
TTL_RE = re.compile(r"^(\d{1,12})(\.\d{1,9})?s$")
TOPIC_RE = re.compile(r"^(/topics/)?[A-Za-z0-9_.~%-]{1,900}$")
RESERVED_DATA_KEYS = frozenset({"from", "message_type", "notification"})
TARGETS = ("token", "fid", "topic", "condition")

TargetKind = Literal["token", "fid", "topic", "condition"]


class FcmInvalid(PushSimError):
    """An INVALID_ARGUMENT answer (400): ``field`` names the offending field.

    Part of the one error family; the wire body stays Google's error JSON.
    """

    http_status = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, kw_only=True)
class FcmSend:
    target_kind: TargetKind
    target: str
    data: Mapping[str, str] = field(default_factory=dict)
    notification: Mapping[str, str] | None = None
    ttl: float | None = None
    priority: str | None = None
    collapse_key: str | None = None
    validate_only: bool = False
    payload_size: int = 0

    def device_payload(self) -> dict[str, Any]:
        """What the app sees: the data pairs plus ``notification`` when present."""
        payload: dict[str, Any] = dict(self.data)
        if self.notification is not None:
            payload["notification"] = dict(self.notification)
        return payload


def _get(mapping: Mapping[str, Any], snake: str) -> Any:
    """A field by its snake_case or lowerCamelCase name."""
    if snake in mapping:
        return mapping[snake]
    head, *rest = snake.split("_")
    return mapping.get(head + "".join(part.capitalize() for part in rest))


def parse_ttl(value: Any, field_name: str = "message.android.ttl") -> float:
    if not isinstance(value, str):
        raise FcmInvalid("Invalid value: ttl must be a duration string like '3.5s'", field_name)
    match = TTL_RE.match(value)
    if match is None:
        raise FcmInvalid(f"Invalid value at '{field_name}' (google.protobuf.Duration)", field_name)
    seconds = float(value[:-1])
    return min(seconds, float(MAX_TTL))


def _string_map(value: Any, field_name: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise FcmInvalid(f"Invalid value at '{field_name}': a map of strings", field_name)
    for key, item in value.items():
        if not isinstance(item, str):
            raise FcmInvalid(
                f"Invalid value at '{field_name}[{key}].value' (TYPE_STRING)", f"{field_name}.{key}"
            )
    return dict(value)


def _check_data(data: dict[str, str]) -> None:
    for key in data:
        lowered = key.lower()
        if lowered in RESERVED_DATA_KEYS or lowered.startswith(("google", "gcm")):
            raise FcmInvalid(f"Invalid data payload key: {key}", f"message.data.{key}")


def _android(message: Mapping[str, Any]) -> tuple[float | None, str | None, str | None]:
    android = message.get("android")
    if android is None:
        return None, None, None
    if not isinstance(android, dict):
        raise FcmInvalid("Invalid value at 'message.android'", "message.android")
    ttl_value = android.get("ttl")
    ttl = None if ttl_value is None else parse_ttl(ttl_value)
    priority = android.get("priority")
    if priority is not None:
        if not isinstance(priority, str) or priority.lower() not in ("normal", "high"):
            raise FcmInvalid(
                f"Invalid value at 'message.android.priority' ({priority!r}): normal or high",
                "message.android.priority",
            )
        priority = priority.lower()
    collapse_key = _get(android, "collapse_key")
    if collapse_key is not None and not isinstance(collapse_key, str):
        raise FcmInvalid("collapse_key must be a string", "message.android.collapse_key")
    return ttl, priority, collapse_key


def parse_send(body: bytes) -> FcmSend:
    """Validate a send request; raises ``FcmInvalid``."""
    try:
        request = read_json(body)
    except StrictJsonError as exc:
        raise FcmInvalid(f"Invalid JSON payload received. {exc.reason}.") from None
    if not isinstance(request, dict):
        raise FcmInvalid("Invalid JSON payload received. Expected an object.")
    unknown = set(request) - {"message", "validate_only", "validateOnly"}
    if unknown:
        name = sorted(unknown)[0]
        raise FcmInvalid(f'Invalid JSON payload received. Unknown name "{name}"', name)
    message = request.get("message")
    if not isinstance(message, dict):
        raise FcmInvalid("The message is missing or not an object.", "message")
    validate_only = _get(request, "validate_only")
    if validate_only is not None and not isinstance(validate_only, bool):
        raise FcmInvalid("validate_only must be a boolean", "validate_only")

    present = [name for name in TARGETS if message.get(name) not in (None, "")]
    if len(present) != 1:
        raise FcmInvalid(
            "Exactly one of token, fid, topic or condition must be specified.", "message"
        )
    kind: TargetKind = present[0]  # type: ignore[assignment]
    target = message[kind]
    if not isinstance(target, str):
        raise FcmInvalid(f"message.{kind} must be a string", f"message.{kind}")
    if kind == "topic" and not TOPIC_RE.match(target):
        raise FcmInvalid("Invalid topic name", "message.topic")

    data = _string_map(message.get("data", {}), "message.data")
    _check_data(data)
    notification = message.get("notification")
    if notification is not None:
        notification = _string_map(notification, "message.notification")
    ttl, priority, collapse_key = _android(message)
    for platform in ("apns", "webpush", "fcm_options"):
        value = _get(message, platform)
        if value is not None and not isinstance(value, dict):
            raise FcmInvalid(f"Invalid value at 'message.{platform}'", f"message.{platform}")

    size = len(
        json.dumps(
            {"data": data, "notification": notification or {}},
            separators=(",", ":"),
            ensure_ascii=False,
        ).encode("utf-8")
    )
    if size > PAYLOAD_LIMIT:
        raise FcmInvalid(
            f"Message is too big: {size} bytes of data and notification (limit {PAYLOAD_LIMIT})",
            "message",
        )
    return FcmSend(
        target_kind=kind,
        target=target,
        data=data,
        notification=notification,
        ttl=ttl,
        priority=priority,
        collapse_key=collapse_key,
        validate_only=bool(validate_only),
        payload_size=size,
    )
