"""Typed details of every mock event kind, and the registry that pairs them.

Each is a frozen ``core.events.EventDetails``: readers use fields
(``event.details.status``) and the trace, audit log and inspector still read
them as a mapping with the same keys as before. Kinds about a record
(registrations, faults) carry the record, and their mapping is its
``to_dict()``. ``DETAILS_FOR`` names each ``MockEvent``'s class; the hub
refuses any other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from typing import Any, TypedDict

from core.events import Allowed, EventDetails, NoDetails, wire
from simulators.delivery.event_kinds import MockEvent
from simulators.delivery.faults import Fault
from simulators.delivery.registry import Registration


class ServiceStarted(EventDetails):
    """``started``: where the mock listens."""

    url: str


class DeviceConnection(EventDetails):
    """``device_online`` / ``device_offline``."""

    token: str


class OAuthTokenRequest(EventDetails):
    """FCM ``oauth_token``: the answer's status and the assertion's claims."""

    status: int
    claims: Mapping[str, Any] | None


class FcmSendRequest(EventDetails):
    """FCM ``send``: the project in the path."""

    project: str


class FcmSendAnswer(EventDetails):
    """FCM ``accepted`` / ``rejected``."""

    status: int
    outcome: str
    answer: Any


class ApnsSendRequest(EventDetails):
    """APNs ``send``: the request headers (never the provider token) and the auth kind."""

    headers: Mapping[str, str]
    auth: str


class ApnsSendAnswer(EventDetails):
    """APNs ``accepted`` / ``rejected``; the key ``apns-id`` keeps its wire spelling."""

    status: int
    reason: str | None
    apns_id: str = field(metadata=wire("apns-id"))
    outcome: str


class Notice(EventDetails):
    """What the provider adds to an accepted notification's events (FCM: ttl; APNs: topic)."""

    ttl: float | None = field(default=None, metadata=wire(sparse=True))
    topic: str | None = field(default=None, metadata=wire(sparse=True))
    push_type: str | None = field(default=None, metadata=wire(sparse=True))
    priority: str


class NotificationEvent(EventDetails):
    """``delivered``, ``dropped``, ``stored``, ``superseded``, ``discarded``, ``expired``."""

    token: str
    message_id: str
    notice: Notice | None = field(default=None, metadata=wire(sparse=True, spread=dict))
    from_store: bool | None = field(default=None, metadata=wire(sparse=True))
    fault: str | None = field(default=None, metadata=wire(sparse=True))  # the dropping fault


class Outcome(TypedDict, total=False):
    """What became of a notification (``NotificationEvent``'s last fields)."""

    from_store: bool
    fault: str


class DeviceRegistered(EventDetails):
    """``device_registered`` / ``device_unregistered`` (with how many stored ones went)."""

    registration: Registration = field(metadata=wire(spread=Registration.to_dict))
    discarded: int | None = field(default=None, metadata=wire(sparse=True))


class FaultChanged(EventDetails):
    """``fault_added`` / ``fault_removed`` / ``fault_applied``: the fault as planned."""

    fault: Fault = field(metadata=wire(spread=Fault.to_dict))


class FaultFired(FaultChanged):
    """``fault_fired``: the fault and the device token it fired for (None: any)."""

    target: str | None


DETAILS_FOR: dict[MockEvent, Allowed] = {
    MockEvent.STARTED: ServiceStarted,
    MockEvent.STOPPED: NoDetails,
    MockEvent.OAUTH_TOKEN: OAuthTokenRequest,
    MockEvent.SEND: (FcmSendRequest, ApnsSendRequest),
    MockEvent.ACCEPTED: (FcmSendAnswer, ApnsSendAnswer),
    MockEvent.REJECTED: (FcmSendAnswer, ApnsSendAnswer),
    MockEvent.FAULT_FIRED: FaultFired,
    MockEvent.FAULT_ADDED: FaultChanged,
    MockEvent.FAULT_REMOVED: FaultChanged,
    MockEvent.FAULT_APPLIED: FaultChanged,
    MockEvent.DEVICE_REGISTERED: DeviceRegistered,
    MockEvent.DEVICE_UNREGISTERED: DeviceRegistered,
    MockEvent.DEVICE_ONLINE: DeviceConnection,
    MockEvent.DEVICE_OFFLINE: DeviceConnection,
    MockEvent.DELIVERED: NotificationEvent,
    MockEvent.DROPPED: NotificationEvent,
    MockEvent.STORED: NotificationEvent,
    MockEvent.SUPERSEDED: NotificationEvent,
    MockEvent.DISCARDED: NotificationEvent,
    MockEvent.EXPIRED: NotificationEvent,
}
