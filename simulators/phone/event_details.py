"""Typed, frozen details of every phone (and suite) event kind, and their registry.

Each class is a ``core.events.EventDetails``: readers use fields
(``event.details.token``, ``event.details.notification.status``) and it still
reads as the mapping it replaced, with the wire spellings (``messageID``) the
trace has always shown, so the audit log, traces and the inspector serialise
it unchanged. Kinds about a record (a notification, the core's receipt, the
settings, the whole phone) carry the record; their mapping is its wire form.
``DETAILS_FOR`` names each kind's class; ``Phone.emit`` refuses any other.
"""

from __future__ import annotations

from dataclasses import field

from core.events import Allowed, EventDetails, NoDetails, wire
from simulators.phone.core_client import ResponseReceipt
from simulators.phone.event_kinds import PhoneEvent, SuiteEvent
from simulators.phone.inbox import Notification
from simulators.phone.settings import PhoneSettings
from simulators.phone.views import (
    PhoneView,
    PhoneViewChanged,
    SensorView,
    describe_phone_view,
    describe_sensor_view,
)


class PushTokenDetails(EventDetails):
    """``phone.push.token``, ``phone.push.token_revoked``, ``phone.push.unregistered``,
    ``phone.delivery.online``: the push token concerned."""

    token: str


class UnlockSucceeded(EventDetails):
    """``phone.unlock.succeeded``: how the user unlocked, and the key it released."""

    method: str  # pin | fingerprint | device
    protection: str  # the instance key used: device | pin | fingerprint


class NotificationShown(EventDetails):
    """``phone.notification.*`` and ``phone.request.*``: the notification as it now stands."""

    notification: Notification = field(metadata=wire(spread=Notification.describe))
    # the push that brought it, when one did
    message_id: str | None = field(default=None, metadata=wire("messageID", sparse=True))


class ActivationFailure(EventDetails):
    """``phone.activation.failed``: why."""

    reason: str


class Enrolled(EventDetails):
    """``phone.activation.completed``: the authenticator the app now is."""

    serial: str
    user_id: str = field(metadata=wire("userID"))
    domain: str


class UnlockFailed(EventDetails):
    """``phone.unlock.failed``: the method tried, why it failed, the attempts left."""

    method: str
    reason: str
    remaining: int | None = field(default=None, metadata=wire(sparse=True))


class Scanned(Enrolled):
    """``phone.activation.scanned``: message 1 read; the registration it belongs to."""

    registration_id: str = field(metadata=wire("registrationID"))


class PushRegistered(PushTokenDetails):
    """``phone.push.registered``: the token the core now pushes to, for this app."""

    app_id: str = field(metadata=wire("appID"))


class DeviceCode(EventDetails):
    """``phone.activation.device_code``: what the user types at the portal."""

    device_code: str = field(metadata=wire("deviceCode"))


class PhoneShown(EventDetails):
    """``phone.started`` / ``phone.app.installed``: the whole phone (``Phone.describe()``)."""

    view: PhoneView = field(metadata=wire(spread=describe_phone_view))


class AppUninstalled(EventDetails):
    """``phone.app.uninstalled``: the token it had, and whether the service dropped it yet."""

    token: str | None
    token_unregistered: bool = field(metadata=wire("tokenUnregistered"))


class CoreAnswered(EventDetails):
    """``phone.response.answered``: what the core said to the response."""

    receipt: ResponseReceipt = field(metadata=wire(spread=ResponseReceipt.describe))


class UnlockPrompted(EventDetails):
    """``phone.unlock.prompt``: the open "unlock to approve" screen."""

    notification_id: str = field(metadata=wire("notificationID"))
    required: str
    offered: tuple[str, ...]
    pin_attempts_left: int = field(metadata=wire("pinAttemptsLeft"))


class Approval(EventDetails):
    """``phone.user.approve``: the protection the request requires."""

    required: str


class SensorChanged(EventDetails):
    """``phone.fingerprint.changed``: the sensor as it now is."""

    sensor: SensorView = field(metadata=wire(spread=describe_sensor_view))


class AutoAnswer(EventDetails):
    """``phone.autoresponder.ignored``: the notification the auto-responder handled."""

    notification_id: str = field(metadata=wire("notificationID"))


class ResponseSent(EventDetails):
    """``phone.response.sent``: the decision, the key that signed it, the number chosen."""

    decision: str
    protection: str
    number: str | None = field(default=None, metadata=wire(sparse=True))


class AutoAnswered(AutoAnswer):
    """``phone.autoresponder.answered``: and what the core said."""

    receipt: ResponseReceipt = field(metadata=wire(spread=ResponseReceipt.describe))


class RegistrationFailure(EventDetails):
    """``phone.push.registration_failed``: the error's class name (never its secrets)."""

    error: str


class AutoFailed(AutoAnswer):
    """``phone.autoresponder.failed``: and the error's class name."""

    error: str


class PushIgnored(EventDetails):
    """``phone.push.ignored``: the push, and the serial it named when that was not ours."""

    message_id: str = field(metadata=wire("messageID"))
    serial: str | None = field(default=None, metadata=wire(sparse=True))


class SettingsChanged(EventDetails):
    """``phone.settings.changed``: every setting, as the phone API spells them."""

    settings: PhoneSettings = field(metadata=wire(spread=PhoneSettings.to_dict))


class SuiteReady(EventDetails):
    """``suite.ready``: how long the whole suite took to start."""

    startup_seconds: float


class SuiteReset(EventDetails):
    """``suite.reset``: how long restoring the demo data took."""

    seconds: float


_SHOWN = (
    PhoneEvent.NOTIFICATION_RECEIVED,
    PhoneEvent.NOTIFICATION_SUPPRESSED,
    PhoneEvent.REQUEST_EXPIRED,
    PhoneEvent.REQUEST_ENDED,
    PhoneEvent.REQUEST_INVALID,
    PhoneEvent.REQUEST_OPENED,
)
_TOKEN = (
    PhoneEvent.PUSH_TOKEN,
    PhoneEvent.PUSH_TOKEN_REVOKED,
    PhoneEvent.PUSH_UNREGISTERED,
    PhoneEvent.DELIVERY_ONLINE,
)
_TYPED: dict[PhoneEvent, Allowed] = {
    PhoneEvent.ACTIVATION_COMPLETED: Enrolled,
    PhoneEvent.ACTIVATION_DEVICE_CODE: DeviceCode,
    PhoneEvent.ACTIVATION_FAILED: ActivationFailure,
    PhoneEvent.ACTIVATION_SCANNED: Scanned,
    PhoneEvent.APP_INSTALLED: PhoneShown,
    PhoneEvent.APP_UNINSTALLED: AppUninstalled,
    PhoneEvent.AUTORESPONDER_ANSWERED: AutoAnswered,
    PhoneEvent.AUTORESPONDER_FAILED: AutoFailed,
    PhoneEvent.AUTORESPONDER_IGNORED: AutoAnswer,
    PhoneEvent.FINGERPRINT_CHANGED: SensorChanged,
    PhoneEvent.PUSH_IGNORED: PushIgnored,
    PhoneEvent.PUSH_REGISTERED: PushRegistered,
    PhoneEvent.PUSH_REGISTRATION_FAILED: RegistrationFailure,
    PhoneEvent.RESPONSE_ANSWERED: CoreAnswered,
    PhoneEvent.RESPONSE_SENT: ResponseSent,
    PhoneEvent.SETTINGS_CHANGED: SettingsChanged,
    PhoneEvent.STARTED: PhoneShown,
    PhoneEvent.VIEW_CHANGED: PhoneViewChanged,
    PhoneEvent.UNLOCK_FAILED: UnlockFailed,
    PhoneEvent.UNLOCK_PROMPT: UnlockPrompted,
    PhoneEvent.UNLOCK_SUCCEEDED: UnlockSucceeded,
    PhoneEvent.USER_APPROVE: Approval,
}
_SUITE: dict[str, Allowed] = {SuiteEvent.READY: SuiteReady, SuiteEvent.RESET: SuiteReset}
# every other phone kind's summary says it all
DETAILS_FOR: dict[str, Allowed] = (
    dict.fromkeys(PhoneEvent, NoDetails)
    | dict.fromkeys(_SHOWN, NotificationShown)
    | dict.fromkeys(_TOKEN, PushTokenDetails)
    | _TYPED
    | _SUITE
)
