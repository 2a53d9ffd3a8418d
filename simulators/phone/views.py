"""View models: frozen snapshots of a phone and its authenticator app, for drawing.

A ``PhoneView`` is everything a screen shows, read once from the live objects
(``Phone.view()``): views draw fields instead of digging into the phone, and
two snapshots compare equal when nothing drawable changed (the clock aside).
The phone publishes a new one as a ``phone.view.changed`` event whose details
are ``PhoneViewChanged`` after each state change, so a view never polls.
``describe_phone_view`` is the JSON-able form ``Phone.describe()`` answers.

This module imports no other phone module but the leaves it shows (settings,
inbox, identity, fingerprint): the phone and the app build views, views never reach back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.events import EventBus, EventDetails
from simulators.phone.event_kinds import PhoneEvent
from simulators.phone.fingerprint import FingerprintSensor
from simulators.phone.identity import Platform
from simulators.phone.inbox import Notification
from simulators.phone.settings import PhoneSettings


@dataclass(frozen=True, kw_only=True)
class SensorView:
    enrolled: tuple[str, ...]
    locked_out: bool
    attempts_left: int

    @classmethod
    def of(cls, sensor: FingerprintSensor) -> SensorView:
        return cls(
            enrolled=tuple(sensor.enrolled),
            locked_out=sensor.locked_out,
            attempts_left=sensor.remaining_attempts,
        )


@dataclass(frozen=True, kw_only=True)
class UnlockPromptView:
    """The open "unlock to approve" screen."""

    notification_id: str
    required: str  # device | pin | fingerprint
    offered: tuple[str, ...]  # the unlock methods the prompt accepts


@dataclass(frozen=True, kw_only=True)
class AuthenticatorView:
    kind: str  # authenticator | sdk
    app_id: str
    installed: bool
    activated: bool
    serial: str | None
    user_id: str | None
    domain: str | None
    push_registered: bool  # the core knows the app's push token
    push_unregistered: bool  # the token was declared dead; re-registers on start / online
    locked: bool  # too many wrong PINs
    pin_attempts_left: int
    activation_step: str
    prompt: UnlockPromptView | None

    @property
    def status(self) -> str:
        """One word for the app: not-installed, locked, not-activated or active."""
        if not self.installed:
            return "not-installed"
        if self.locked:
            return "locked"
        return "active" if self.activated else "not-activated"


@dataclass(frozen=True, kw_only=True)
class PhoneView:
    name: str
    platform: Platform
    online: bool  # started and out of airplane mode
    delivery: str  # the delivery stream: offline | connecting | online
    airplane_mode: bool
    clock: float = field(compare=False)  # the phone's own clock when the view was taken
    settings: PhoneSettings
    sensor: SensorView
    app: AuthenticatorView
    notifications: tuple[Notification, ...]  # visible ones, oldest first
    auto_responder: str | None  # the attached responder's action, None: the user answers

    @property
    def prompt(self) -> UnlockPromptView | None:
        return self.app.prompt

    @property
    def shown_notification(self) -> Notification | None:
        """What the lock screen shows: the prompted request, else the newest one."""
        prompt = self.app.prompt
        if prompt is not None:
            for note in self.notifications:
                if note.id == prompt.notification_id:
                    return note
        return self.notifications[-1] if self.notifications else None

    @property
    def answerable_count(self) -> int:
        return sum(1 for note in self.notifications if note.answerable)


class PhoneViewChanged(EventDetails):
    """Details of ``phone.view.changed``: the phone as it is now."""

    view: PhoneView


class ViewPublisher:
    """Emits a phone's views on the bus, each only when it differs from the last."""

    def __init__(self, events: EventBus, source: str) -> None:
        self._events = events
        self._source = source
        self._last: PhoneView | None = None

    def publish(self, view: PhoneView, *, time: float) -> None:
        if view == self._last:
            return
        self._last = view
        self._events.emit(
            PhoneEvent.VIEW_CHANGED,
            self._source,
            summary=f"{view.name} view changed",
            details=PhoneViewChanged(view=view),
            time=time,
        )


def describe_authenticator_view(view: AuthenticatorView) -> dict[str, Any]:
    shown = {wire: getattr(view, name) for name, wire in _APP_VIEW_WIRE_NAMES.items()}
    prompt = view.prompt
    shown["prompt"] = (
        None
        if prompt is None
        else {
            "notificationID": prompt.notification_id,
            "required": prompt.required,
            "offered": list(prompt.offered),
        }
    )
    return shown


_APP_VIEW_WIRE_NAMES = {
    "kind": "kind",
    "app_id": "appID",
    "installed": "installed",
    "activated": "activated",
    "serial": "serial",
    "user_id": "userID",
    "domain": "domain",
    "push_registered": "pushRegistered",
    "push_unregistered": "pushUnregistered",
    "locked": "locked",
    "pin_attempts_left": "pinAttemptsLeft",
    "activation_step": "activationStep",
}


def describe_sensor_view(view: SensorView) -> dict[str, Any]:
    return {
        "enrolled": list(view.enrolled),
        "lockedOut": view.locked_out,
        "attemptsLeft": view.attempts_left,
    }


def describe_phone_view(view: PhoneView) -> dict[str, Any]:
    """The view as JSON-able data (no secrets): what ``Phone.describe()`` returns."""
    return {
        "name": view.name,
        "platform": view.platform.value,
        "online": view.online,
        "clock": view.clock,
        "settings": view.settings.to_dict(),
        "fingerprint": describe_sensor_view(view.sensor),
        "app": describe_authenticator_view(view.app),
        "notifications": [note.describe() for note in view.notifications],
    }
