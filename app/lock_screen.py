"""What a phone's screen shows, read from its ``PhoneView`` (no Qt).

``lock_screen`` turns the phone's view model into the few facts a view draws:
the notification shown, its state line, the open unlock prompt. Keeping it
Qt-free lets tests check the reading without a widget.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulators.phone.identity import Platform
from simulators.phone.inbox import Notification
from simulators.phone.views import AuthenticatorView, PhoneView

UNKNOWN_FINGER = "left-pinky"  # not enrolled anywhere: lets a tester try a wrong finger
UNKNOWN_FINGERS = (UNKNOWN_FINGER, "left-thumb", "right-ring")  # the sensor offers each
APP_NAMES = {"authenticator": "Authenticator app", "sdk": "SDK demo app"}
PROTECTION_TEXT = {
    "device": "tap Approve",
    "pin": "needs the PIN",
    "fingerprint": "needs a fingerprint",
}


@dataclass(frozen=True, kw_only=True)
class LockScreen:
    name: str
    platform: str  # android | ios
    model_line: str  # "Android · Authenticator app"
    online: bool
    airplane: bool
    clock: float  # by the phone's own clock
    app_line: str
    can_register_push: bool  # activated, but without a push registration the core knows
    notification: Notification | None  # the one shown (prompted, else the newest)
    answerable: bool
    state_line: str
    numbers: tuple[int, ...]
    prompt_offers: tuple[str, ...]  # unlock methods the open prompt offers
    fingers: tuple[str, ...]

    @property
    def notification_id(self) -> str | None:
        return None if self.notification is None else self.notification.id


def _app_line(app: AuthenticatorView) -> str:
    if not app.installed:
        return "app not installed"
    if app.locked:
        return "app locked (too many wrong PINs)"
    if not app.activated:
        return "app installed, not activated"
    if app.push_registered:
        push = "push registered"
    else:
        push = "push unregistered" if app.push_unregistered else "no push registration"
    return f"{app.serial} · {push}"


def _settings_line(view: PhoneView) -> str:
    """What a tester changed on this phone, in a few words (empty when nothing)."""
    settings, parts = view.settings, []
    if settings.notifications_denied:
        parts.append("notifications off")
    if settings.clock_offset:
        parts.append(f"clock {settings.clock_offset:+.0f} s")
    if settings.ignore_required_protection:
        parts.append("tampered app")
    if view.auto_responder:
        parts.append(f"auto: {view.auto_responder}")
    return " · ".join(parts)


def _state_line(note: Notification, clock: float) -> str:
    status = note.status.value
    reason = note.reason
    if note.answerable:
        request = note.request
        left = f"expires in {max(0, int(request.expires - clock))} s" if request else ""
        need = PROTECTION_TEXT.get(request.protection.value, "") if request else ""
        return " · ".join(part for part in (need, left) if part)
    label = {"approved": "✓ approved", "rejected": "✗ rejected"}.get(status, status)
    if not reason:
        return label
    if reason.startswith(status):  # "approved with pin" says it all
        return f"{label[0]} {reason}" if label[0] in "✓✗" else reason
    return f"{label} · {reason}"


def lock_screen(view: PhoneView) -> LockScreen:
    """Read a ``PhoneView`` as a lock screen."""
    app = view.app
    prompt = app.prompt
    note = view.shown_notification
    request = note.request if note else None
    return LockScreen(
        name=view.name,
        platform=view.platform.value,
        model_line=f"{'iOS' if view.platform is Platform.IOS else 'Android'} · "
        f"{APP_NAMES.get(app.kind, app.kind)}",
        online=view.online,
        airplane=view.airplane_mode,
        clock=view.clock,
        app_line=" · ".join(p for p in (_app_line(app), _settings_line(view)) if p),
        can_register_push=app.installed and app.activated and not app.push_registered,
        notification=note,
        answerable=note is not None and note.answerable,
        state_line="" if note is None else _state_line(note, view.clock),
        numbers=tuple(request.numbers or ()) if request else (),
        prompt_offers=prompt.offered if prompt else (),
        fingers=view.sensor.enrolled,
    )


# -- the card ---------------------------------------------------------------------------
