"""Store-and-forward for devices that are away, by each provider's rules.

- **FCM** keeps every message for an offline device until its ``ttl`` runs out
  (``ttl`` 0 = deliver now or never, so it is not stored). A message with a
  ``collapse_key`` replaces an older stored one with the same key; beyond 100
  stored messages the oldest is discarded.
- **APNs** keeps only the **newest** notification per device and app until its
  ``apns-expiration`` (0 = never stored); a newer one replaces it.

``expires_at`` is compared with the mock's clock: a notification is
deliverable while ``now < expires_at``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from simulators.delivery.event_details import Notice
from simulators.delivery.registry import Service

FCM_STORE_LIMIT = 100


@dataclass(frozen=True, kw_only=True)
class Notification:
    """One accepted notification on its way to a device."""

    service: Service
    message_id: str
    token: str
    app_id: str
    payload: Mapping[str, Any]
    raw: str
    accepted_at: float
    expires_at: float | None  # None: never expires
    storable: bool = True  # False: ttl 0 / apns-expiration 0 (now or never)
    collapse_key: str | None = None
    request_id: str | None = None
    details: Notice | None = None  # what the provider adds to its events

    def expired(self, now: float) -> bool:
        return self.expires_at is not None and now >= self.expires_at


@dataclass(frozen=True, kw_only=True)
class StoreResult:
    stored: bool
    replaced: tuple[Notification, ...] = ()
    reason: str = ""


class OfflineStore:
    """Pending notifications per device token, under one provider's rules."""

    def __init__(self, service: Service) -> None:
        self.service: Service = service
        self._pending: dict[str, list[Notification]] = {}

    def put(self, notification: Notification, *, now: float) -> StoreResult:
        if not notification.storable:
            return StoreResult(stored=False, reason="expiry 0: now or never")
        if notification.expired(now):
            return StoreResult(stored=False, reason="already expired")
        queue = self._pending.setdefault(notification.token, [])
        if self.service == "apns":
            replaced = tuple(n for n in queue if n.app_id == notification.app_id)
            queue[:] = [n for n in queue if n.app_id != notification.app_id]
            queue.append(notification)
            return StoreResult(stored=True, replaced=replaced, reason="newest only")
        dropped: list[Notification] = []
        if notification.collapse_key is not None:
            dropped = [n for n in queue if n.collapse_key == notification.collapse_key]
            queue[:] = [n for n in queue if n.collapse_key != notification.collapse_key]
        queue.append(notification)
        while len(queue) > FCM_STORE_LIMIT:
            dropped.append(queue.pop(0))
        return StoreResult(stored=True, replaced=tuple(dropped))

    def take(self, token: str, *, now: float) -> tuple[list[Notification], list[Notification]]:
        """Remove and return (deliverable, expired) notifications for ``token``."""
        queue = self._pending.pop(token, [])
        live = [n for n in queue if not n.expired(now)]
        expired = [n for n in queue if n.expired(now)]
        return live, expired

    def discard(self, token: str) -> list[Notification]:
        return self._pending.pop(token, [])

    def pending(self, token: str) -> tuple[Notification, ...]:
        return tuple(self._pending.get(token, ()))

    def count(self, token: str) -> int:
        return len(self._pending.get(token, ()))
