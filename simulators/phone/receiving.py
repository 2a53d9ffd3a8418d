"""Requests reaching the app: pushes, polling, and opening a request (step 4).

A push brings either the sealed type-3 request, which the app opens at once
(so the lock screen shows the request's own title and subject), or a
challengeKey, which the app redeems once with the core when the user opens the
notification. Polling (``GET pending``) is the fallback when pushes do not
come. A request is usable only if it opens with this app's server→device keys,
is a protected type-3 message for this serial, and — by the phone's own clock —
has not expired; otherwise the notification is marked invalid or expired.
With notifications denied, pushes still arrive but stay hidden; polling (the
user opening the app) shows them.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from core.protocol.errors import InvalidMessageBody, SecureChannelError
from core.protocol.messages import ChallengeRequest
from core.protocol.secure_channel import MessageType, Protection, open_message
from core.protocol.signature import compute_signature
from simulators.phone.errors import (
    AlreadyAnswered,
    CoreApiError,
    NotificationNotFound,
    RequestExpired,
    RequestUnusable,
)
from simulators.phone.event_details import NotificationShown, PushIgnored
from simulators.phone.event_kinds import PhoneEvent
from simulators.phone.inbox import Notification, NotificationSource, NotificationStatus
from simulators.phone.keystore import Keystore
from simulators.phone.push_delivery import DeliveredPush, NotAPushSimPush, parse_ended, parse_push
from simulators.phone.request_ended import end_request

if TYPE_CHECKING:
    from simulators.phone.authenticator_app import AuthenticatorApp


EXPIRY_CHECK = 1.0  # seconds between the phone's looks at its requests' deadlines


def read_request(keystore: Keystore, message: str) -> ChallengeRequest:
    """Open and check a type-3 request; RequestUnusable says why it cannot be used."""
    try:
        opened = open_message(message, keys=keystore.server_to_device)
    except SecureChannelError:
        raise RequestUnusable("the request does not open with this app's keys") from None
    if opened.type is not MessageType.REQUEST:
        raise RequestUnusable("the message is not a request")
    if opened.protection is not Protection.ENCRYPT_AND_MAC:
        raise RequestUnusable("the request is not encrypted")
    try:
        request = ChallengeRequest.from_bytes(opened.body)
    except InvalidMessageBody:
        raise RequestUnusable("the request body is not valid") from None
    if opened.serial != keystore.serial or request.serial != keystore.serial:
        raise RequestUnusable("the request is for another authenticator")
    return request


def unusable(notification: Notification) -> RequestUnusable:
    """The error for answering a notification that can no longer be answered."""
    if notification.status is NotificationStatus.EXPIRED:
        return RequestExpired()
    if notification.status in (NotificationStatus.APPROVED, NotificationStatus.REJECTED):
        return AlreadyAnswered()
    return RequestUnusable(notification.reason or f"the request is {notification.status}")


class RequestReceiver:
    def __init__(self, app: AuthenticatorApp) -> None:
        self.app = app

    def visible(self, notification_id: str) -> Notification:
        notification = self.app.inbox.get(notification_id)
        if notification is None or not notification.visible:
            raise NotificationNotFound(notification_id)
        return notification

    def _open_into(self, notification: Notification) -> Notification:
        """Open the notification's request; mark it invalid or expired if unusable."""
        keystore = self.app.require_activated()
        assert notification.request_message is not None
        inbox = self.app.inbox
        try:
            request = read_request(keystore, notification.request_message)
            if request.request_id != notification.request_id:
                raise RequestUnusable("the request does not match the notification")
        except RequestUnusable as exc:
            invalid = inbox.update(
                notification.id, status=NotificationStatus.INVALID, reason=exc.reason
            )
            self.app.host.emit(
                PhoneEvent.REQUEST_INVALID,
                exc.reason,
                request_id=notification.request_id,
                details=NotificationShown(notification=invalid),
            )
            return invalid
        updated = inbox.update(
            notification.id, request=request, title=request.title, subject=request.subject
        )
        return self.expire_if_due(updated)

    async def expire_on_time(self, every: float = EXPIRY_CHECK) -> None:
        """While the phone runs: a request whose time is up leaves the lock screen.

        The phone's own clock decides (it stops while step mode holds the flow),
        so a timed-out login shows as expired within ``every`` seconds of the
        core's timeout, with no live Approve left on the screen.
        """
        while True:
            await asyncio.sleep(every)
            for notification in self.app.inbox.visible():
                if notification.answerable:
                    self.expire_if_due(notification)

    def expire_if_due(self, notification: Notification) -> Notification:
        request = notification.request
        if request is None or not notification.answerable:
            return notification
        if request.expires > self.app.host.now():
            return notification
        expired = self.app.inbox.update(
            notification.id, status=NotificationStatus.EXPIRED, reason=RequestExpired().reason
        )
        self.app.host.emit(
            PhoneEvent.REQUEST_EXPIRED,
            "the request expired (by the phone's clock)",
            request_id=notification.request_id,
            details=NotificationShown(notification=expired),
        )
        return expired

    def receive_push(self, push: DeliveredPush) -> Notification | None:
        """A push arrived over the delivery stream: put it on the lock screen."""
        app, host = self.app, self.app.host
        if (ended := parse_ended(push.payload)) is not None:  # docs/protocol.md §16.9
            end_request(app, ended, push)
            return None
        try:
            content = parse_push(push.payload)
        except NotAPushSimPush as exc:
            host.emit(
                PhoneEvent.PUSH_IGNORED, str(exc), details=PushIgnored(message_id=push.message_id)
            )
            return None
        if not app.state.activated or content.serial != app.serial:
            host.emit(
                PhoneEvent.PUSH_IGNORED,
                "push is not for this app's authenticator",
                request_id=content.request_id,
                details=PushIgnored(message_id=push.message_id, serial=content.serial),
            )
            return None
        if app.inbox.by_request(content.request_id) is not None:
            host.emit(
                PhoneEvent.PUSH_DUPLICATE,
                "push for a request already on the phone",
                request_id=content.request_id,
            )
            return None
        visible = not host.settings.notifications_denied
        notification = Notification(
            id=app.inbox.new_id(),
            request_id=content.request_id,
            source=NotificationSource.PUSH,
            service=push.service,
            title=content.title,
            subject=content.subject,
            received_at=host.now(),
            visible=visible,
            request_message=content.request_message,
            challenge_key=content.challenge_key,
        )
        app.inbox.add(notification)
        if notification.request_message is not None:
            notification = self._open_into(notification)
        host.emit(
            PhoneEvent.NOTIFICATION_RECEIVED if visible else PhoneEvent.NOTIFICATION_SUPPRESSED,
            f"{notification.title}: {notification.subject}"
            if visible
            else "push arrived but notifications are denied",
            target=push.service,
            request_id=notification.request_id,
            step=4,
            raw=content.request_message,
            details=NotificationShown(notification=notification, message_id=push.message_id),
        )
        return notification

    async def poll(self) -> Notification | None:
        """Ask the core for a pending request (the fallback when pushes do not come)."""
        app, host = self.app, self.app.host
        keystore = app.require_activated()
        now = host.now()
        fields = {"purpose": "pending", "serialNumber": keystore.serial, "time": now}
        message = await host.core().pending(
            keystore.serial, time=now, signature=compute_signature(keystore.device_key, fields)
        )
        if message is None:
            host.emit(PhoneEvent.POLL_EMPTY, "no pending request", target="core")
            return None
        request = read_request(keystore, message)
        existing = app.inbox.by_request(request.request_id)
        if existing is not None and existing.visible and existing.request is not None:
            return existing
        if existing is None:
            notification = Notification(
                id=app.inbox.new_id(),
                request_id=request.request_id,
                source=NotificationSource.POLL,
                service="poll",
                title=request.title,
                subject=request.subject,
                received_at=now,
                visible=True,
                request_message=message,
            )
            app.inbox.add(notification)
        else:  # a push that was not shown (or not yet fetched): the app shows it now
            notification = app.inbox.update(existing.id, visible=True, request_message=message)
        notification = self._open_into(notification)
        host.emit(
            PhoneEvent.NOTIFICATION_RECEIVED,
            f"{notification.title} (found by polling)",
            target="core",
            request_id=notification.request_id,
            step=4,
            raw=message,
            details=NotificationShown(notification=notification),
        )
        return notification

    async def open_notification(self, notification_id: str) -> Notification:
        """The user taps the notification: fetch the request if needed and show it."""
        app, host = self.app, self.app.host
        keystore = app.require_activated()
        notification = self.visible(notification_id)
        if notification.request is None and notification.answerable:
            if notification.request_message is None and notification.challenge_key is not None:
                try:
                    message = await host.core().fetch_challenge(
                        keystore.serial, notification.challenge_key
                    )
                except CoreApiError as exc:
                    if exc.status == 0:  # unreachable: the user may try again
                        raise
                    app.inbox.update(
                        notification_id, status=NotificationStatus.INVALID, reason=exc.message
                    )
                    raise RequestUnusable(f"could not fetch the request: {exc.message}") from exc
                notification = app.inbox.update(notification_id, request_message=message)
                host.emit(
                    PhoneEvent.REQUEST_FETCHED,
                    "request fetched by challengeKey",
                    target="core",
                    request_id=notification.request_id,
                    step=4,
                    raw=message,
                )
            if notification.request_message is not None:
                notification = self._open_into(notification)
        else:
            notification = self.expire_if_due(notification)
        if notification.status is NotificationStatus.NEW:
            notification = app.inbox.update(notification_id, status=NotificationStatus.OPENED)
            host.emit(
                PhoneEvent.REQUEST_OPENED,
                "request shown in the app",
                request_id=notification.request_id,
                details=NotificationShown(notification=notification),
            )
        return notification

    def dismiss(self, notification_id: str) -> None:
        notification = self.visible(notification_id)
        if notification.answerable:
            self.app.inbox.update(notification_id, status=NotificationStatus.DISMISSED)
            self.app.host.emit(
                PhoneEvent.NOTIFICATION_DISMISSED,
                "dismissed",
                request_id=notification.request_id,
            )
