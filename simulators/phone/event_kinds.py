"""Every event kind a virtual phone (and the suite around it) publishes.

Kinds are dotted strings on the ``EventBus`` (``core.events.Event.kind``);
the values here are exactly the strings earlier code emitted, and a
``StrEnum`` member compares equal to its string, so subscribers that match
on text (the observation recorder, the GUI event log, tests) keep working.
Emitters use the members so a typo is a NameError, not a silent new kind.
"""

from __future__ import annotations

from enum import StrEnum


class PhoneEvent(StrEnum):
    """What happened on a phone, grouped by the part of the phone it concerns."""

    # activation
    ACTIVATION_COMPLETED = "phone.activation.completed"
    ACTIVATION_DEVICE_CODE = "phone.activation.device_code"
    ACTIVATION_FAILED = "phone.activation.failed"
    ACTIVATION_SCANNED = "phone.activation.scanned"
    # app
    APP_INSTALLED = "phone.app.installed"
    APP_LOCKED = "phone.app.locked"
    APP_UNINSTALLED = "phone.app.uninstalled"
    # autoresponder
    AUTORESPONDER_ANSWERED = "phone.autoresponder.answered"
    AUTORESPONDER_FAILED = "phone.autoresponder.failed"
    AUTORESPONDER_IGNORED = "phone.autoresponder.ignored"
    AUTORESPONDER_OFF = "phone.autoresponder.off"
    AUTORESPONDER_ON = "phone.autoresponder.on"
    AUTORESPONDER_POLL_REFUSED = "phone.autoresponder.poll_refused"
    # biometric
    BIOMETRIC_LOCKOUT = "phone.biometric.lockout"
    # delivery
    DELIVERY_CLOSED = "phone.delivery.closed"
    DELIVERY_CONNECTING = "phone.delivery.connecting"
    DELIVERY_ERROR = "phone.delivery.error"
    DELIVERY_OFFLINE = "phone.delivery.offline"
    DELIVERY_ONLINE = "phone.delivery.online"
    # fingerprint
    FINGERPRINT_CHANGED = "phone.fingerprint.changed"
    # notification
    NOTIFICATION_DISMISSED = "phone.notification.dismissed"
    NOTIFICATION_RECEIVED = "phone.notification.received"
    NOTIFICATION_SUPPRESSED = "phone.notification.suppressed"
    # pin
    PIN_CHANGE_FAILED = "phone.pin.change_failed"
    PIN_CHANGED = "phone.pin.changed"
    # poll
    POLL_EMPTY = "phone.poll.empty"
    # push
    PUSH_DUPLICATE = "phone.push.duplicate"
    PUSH_IGNORED = "phone.push.ignored"
    PUSH_REGISTERED = "phone.push.registered"
    PUSH_REGISTRATION_FAILED = "phone.push.registration_failed"
    PUSH_TOKEN = "phone.push.token"  # noqa: S105 (an event kind, not a secret)
    PUSH_TOKEN_REVOKED = "phone.push.token_revoked"  # noqa: S105 (an event kind, not a secret)
    PUSH_UNREGISTERED = "phone.push.unregistered"
    # request
    REQUEST_EXPIRED = "phone.request.expired"
    REQUEST_ENDED = "phone.request.ended"  # the core's "request ended" notice took it off
    REQUEST_FETCHED = "phone.request.fetched"
    REQUEST_INVALID = "phone.request.invalid"
    REQUEST_OPENED = "phone.request.opened"
    # response
    RESPONSE_ANSWERED = "phone.response.answered"
    RESPONSE_FAILED = "phone.response.failed"
    RESPONSE_SENT = "phone.response.sent"
    # settings
    SETTINGS_CHANGED = "phone.settings.changed"
    # lifecycle
    STARTED = "phone.started"
    STOPPED = "phone.stopped"
    # views: a new PhoneView snapshot (details: views.PhoneViewChanged), not a happening
    VIEW_CHANGED = "phone.view.changed"
    # unlock
    UNLOCK_CANCELLED = "phone.unlock.cancelled"
    UNLOCK_FAILED = "phone.unlock.failed"
    UNLOCK_PROMPT = "phone.unlock.prompt"
    UNLOCK_SUCCEEDED = "phone.unlock.succeeded"
    # user
    USER_APPROVE = "phone.user.approve"
    USER_REJECT = "phone.user.reject"


class SuiteEvent(StrEnum):
    """What the composition root itself announces."""

    READY = "suite.ready"
    RESET = "suite.reset"  # File › Reset to demo data done
