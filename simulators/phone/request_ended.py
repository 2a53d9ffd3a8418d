"""The core's "request ended" notice: the request leaves the screen, saying why.

A silent push (FCM data message, APNs background push; docs/protocol.md
§16.9) tells the app that a session ended without this phone's answer. The
app takes the request off its lock screen (no Approve left), closes an unlock
prompt opened for it, and shows why: "cancelled" (a newer login superseded
it, an administrator ended it), "answered elsewhere" (a response this phone
did not send decided it) or "timed out". A notice for a request the phone no
longer shows as answerable (already answered, expired, never arrived) changes
nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulators.phone.event_details import NotificationShown, PushIgnored
from simulators.phone.event_kinds import PhoneEvent
from simulators.phone.inbox import Notification, NotificationStatus
from simulators.phone.push_delivery import DeliveredPush, EndedNotice

if TYPE_CHECKING:
    from simulators.phone.authenticator_app import AuthenticatorApp

ENDED_AS = {
    "timeout": (NotificationStatus.EXPIRED, "timed out"),
    "accepted": (NotificationStatus.ANSWERED_ELSEWHERE, ""),
    "refused": (NotificationStatus.ANSWERED_ELSEWHERE, ""),
    "cancelled": (NotificationStatus.CANCELLED, ""),
}


def end_request(app: AuthenticatorApp, notice: EndedNotice, push: DeliveredPush) -> None:
    """Apply the notice to the inbox: the request ends on screen as it did at the core."""
    host = app.host
    shown = app.inbox.by_request(notice.request_id)
    if notice.serial != app.serial or shown is None or not shown.answerable:
        host.emit(
            PhoneEvent.PUSH_IGNORED,
            "request-ended notice for no open request on this phone",
            request_id=notice.request_id,
            details=PushIgnored(message_id=push.message_id, serial=notice.serial),
        )
        return
    status, reason = ENDED_AS.get(notice.outcome, ENDED_AS["cancelled"])
    if app.prompt is not None and app.prompt.notification_id == shown.id:
        app.prompt.cancel()
    ended: Notification = app.inbox.update(shown.id, status=status, reason=reason)
    host.emit(  # a timeout is an expiry, whoever saw it first
        PhoneEvent.REQUEST_EXPIRED
        if status is NotificationStatus.EXPIRED
        else PhoneEvent.REQUEST_ENDED,
        f"request {reason or status.value} (the core ended it: {notice.outcome})",
        target=push.service,
        request_id=notice.request_id,
        details=NotificationShown(notification=ended, message_id=push.message_id),
    )
