"""Headless virtual phones: the device, its storage and settings, the authenticator app.

Build a ``Phone`` with a ``CoreDeviceApi`` (``HttpCoreDeviceApi`` against the
core) and a ``PushDelivery`` (``delivery_adapter.DeliveryClientAdapter`` over
the mock services' device clients), ``await phone.start()``, activate it, and
drive it from code (``approve``, ``reject``, ``unlock_with_pin`` …) or let an
``AutoResponsePolicy`` answer. Views listen to the ``phone.*`` events and draw
``phone.describe()``. No Qt here.
"""

from simulators.phone.auto_responder import AutoAction, AutoResponder, AutoResponsePolicy
from simulators.phone.core_client import CoreDeviceApi, HttpCoreDeviceApi, ResponseReceipt
from simulators.phone.identity import ApnsEnvironment, AppInfo, AppKind, Platform
from simulators.phone.inbox import Notification, NotificationStatus
from simulators.phone.keystore import KdfParams
from simulators.phone.phone import Phone
from simulators.phone.push_delivery import PushDelivery, PushTokenRevoked
from simulators.phone.settings import PhoneSettings
from simulators.phone.unlock import Finger, NoUnlock, Pin, UnlockInput

__all__ = [
    "ApnsEnvironment",
    "AppInfo",
    "AppKind",
    "AutoAction",
    "AutoResponder",
    "AutoResponsePolicy",
    "CoreDeviceApi",
    "Finger",
    "HttpCoreDeviceApi",
    "KdfParams",
    "NoUnlock",
    "Notification",
    "NotificationStatus",
    "Phone",
    "PhoneSettings",
    "Pin",
    "Platform",
    "PushDelivery",
    "PushTokenRevoked",
    "ResponseReceipt",
    "UnlockInput",
]
