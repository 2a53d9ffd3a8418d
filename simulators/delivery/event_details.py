"""Typed details of the mock event kinds whose fields are fixed.

Each is a frozen ``core.events.EventDetails``: readers use fields
(``event.details.status``) and the trace, audit log and inspector still read
them as a mapping with the same keys as before. Kinds whose details are a
record's own ``to_dict()`` (registrations, faults, notifications) keep plain
mappings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.events import EventDetails


@dataclass(frozen=True, kw_only=True)
class ServiceStarted(EventDetails):
    """``started``: where the mock listens."""

    url: str


@dataclass(frozen=True, kw_only=True)
class DeviceConnection(EventDetails):
    """``device_online`` / ``device_offline``."""

    token: str


@dataclass(frozen=True, kw_only=True)
class OAuthTokenRequest(EventDetails):
    """FCM ``oauth_token``: the answer's status and the assertion's claims."""

    status: int
    claims: Mapping[str, Any] | None


@dataclass(frozen=True, kw_only=True)
class FcmSendRequest(EventDetails):
    """FCM ``send``: the project in the path."""

    project: str


@dataclass(frozen=True, kw_only=True)
class FcmSendAnswer(EventDetails):
    """FCM ``accepted`` / ``rejected``."""

    status: int
    outcome: str
    answer: Any


@dataclass(frozen=True, kw_only=True)
class ApnsSendRequest(EventDetails):
    """APNs ``send``: the request headers (never the provider token) and the auth kind."""

    headers: Mapping[str, str]
    auth: str


@dataclass(frozen=True, kw_only=True)
class ApnsSendAnswer(EventDetails):
    """APNs ``accepted`` / ``rejected``; the key ``apns-id`` keeps its wire spelling."""

    status: int
    reason: str | None
    apns_id: str
    outcome: str

    def __getitem__(self, key: str) -> Any:
        if key not in self._names():
            raise KeyError(key)
        return getattr(self, key.replace("-", "_"))

    @classmethod
    def _names(cls) -> tuple[str, ...]:
        return ("status", "reason", "apns-id", "outcome")
