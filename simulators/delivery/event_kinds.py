"""``MockEvent``: every event kind the provider mocks emit, in one place.

``DeliveryHub.emit`` prefixes the service, so ``MockEvent.ACCEPTED`` from the
mock FCM is the kind ``fcm.accepted`` on the event bus. Values are the wire
strings readers already match on; they must not change.
"""

from __future__ import annotations

from enum import StrEnum


class MockEvent(StrEnum):
    """Kind suffixes of mock events (the hub adds ``fcm.`` or ``apns.``)."""

    STARTED = "started"
    STOPPED = "stopped"
    OAUTH_TOKEN = "oauth_token"  # noqa: S105 - an event name, not a secret
    SEND = "send"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    FAULT_FIRED = "fault_fired"
    FAULT_ADDED = "fault_added"
    FAULT_REMOVED = "fault_removed"
    FAULT_APPLIED = "fault_applied"
    DEVICE_REGISTERED = "device_registered"
    DEVICE_UNREGISTERED = "device_unregistered"
    DEVICE_ONLINE = "device_online"
    DEVICE_OFFLINE = "device_offline"
    DELIVERED = "delivered"
    DROPPED = "dropped"
    STORED = "stored"
    SUPERSEDED = "superseded"
    DISCARDED = "discarded"
    EXPIRED = "expired"


def fault_change_event(action: str) -> MockEvent:
    """The kind for a fault plan change (``added``, ``removed``, ``applied``)."""
    return MockEvent(f"fault_{action}")
