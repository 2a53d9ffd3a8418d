"""The phone's notifications: the lock screen list and the app's request screen.

A ``Notification`` is one push-login request as the phone knows it: how it came
(push or poll), what the lock screen shows, and — once the app has opened the
Secure Channel request — the request itself (who, where, when, what protection,
which numbers). Notifications are frozen; the ``Inbox`` replaces them as their
status moves on, and keeps only the newest ``limit`` so load runs stay small.

Status: ``new`` (arrived, request not opened yet) → ``opened`` → ``approved`` |
``rejected``; or ``expired`` / ``invalid`` (could not be used) / ``dismissed``;
or ``cancelled`` / ``answered elsewhere`` (the core's "request ended" notice).
A notification is *visible* unless notifications are denied; hidden ones exist
only so the trace can show that the push did arrive.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from core.protocol.messages import ChallengeRequest

DEFAULT_TITLE = "Transaction Request"
DEFAULT_SUBJECT = "Tap here to confirm transaction"
DEFAULT_LIMIT = 200


class NotificationStatus(StrEnum):
    NEW = "new"
    OPENED = "opened"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"
    INVALID = "invalid"
    DISMISSED = "dismissed"
    CANCELLED = "cancelled"  # the core's "request ended" notice: a newer login, an admin
    ANSWERED_ELSEWHERE = "answered elsewhere"  # ... a response this phone did not send


ANSWERABLE = frozenset({NotificationStatus.NEW, NotificationStatus.OPENED})


class NotificationSource(StrEnum):
    PUSH = "push"
    POLL = "poll"


@dataclass(frozen=True, kw_only=True)
class Notification:
    id: str
    request_id: str
    source: NotificationSource
    service: str  # "fcm", "apns" or "poll"
    title: str
    subject: str
    received_at: float  # by the phone's clock
    visible: bool
    status: NotificationStatus = NotificationStatus.NEW
    request_message: str | None = None  # the type-3 hex, once the app has it
    challenge_key: str | None = None  # to fetch the request once, when the push had no room
    request: ChallengeRequest | None = None  # set when opened
    reason: str = ""  # why it is invalid/expired, or what the core answered

    @property
    def answerable(self) -> bool:
        return self.status in ANSWERABLE

    def describe(self) -> dict[str, Any]:
        """What the phone screen shows (JSON-able, safe to publish)."""
        shown: dict[str, Any] = {
            "id": self.id,
            "requestID": self.request_id,
            "source": self.source.value,
            "service": self.service,
            "title": self.title,
            "subject": self.subject,
            "status": self.status.value,
            "visible": self.visible,
        }
        if self.reason:
            shown["reason"] = self.reason
        if self.request is not None:
            request = self.request
            shown |= {
                "userID": request.user_id,
                "domain": request.domain,
                "clientIP": request.context.client_ip,
                "loginTime": request.context.time,
                "expires": request.expires,
                "protection": request.protection.value,
            }
            if request.numbers is not None:
                shown["numbers"] = list(request.numbers)
        return shown


class Inbox:
    """Notifications by id, oldest first, bounded."""

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self._items: OrderedDict[str, Notification] = OrderedDict()
        self._limit = limit
        self._ids = itertools.count(1)

    def new_id(self) -> str:
        return f"n{next(self._ids)}"

    def add(self, notification: Notification) -> None:
        self._items[notification.id] = notification
        while len(self._items) > self._limit:
            self._items.popitem(last=False)

    def get(self, notification_id: str) -> Notification | None:
        return self._items.get(notification_id)

    def by_request(self, request_id: str) -> Notification | None:
        for notification in reversed(self._items.values()):
            if notification.request_id == request_id:
                return notification
        return None

    def update(self, notification_id: str, **changes: Any) -> Notification:
        updated = replace(self._items[notification_id], **changes)
        self._items[notification_id] = updated
        return updated

    def all(self) -> list[Notification]:
        return list(self._items.values())

    def visible(self) -> list[Notification]:
        return [item for item in self._items.values() if item.visible]

    def clear(self) -> None:
        self._items.clear()
