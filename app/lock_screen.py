"""What a phone's screen shows, read from ``phone.describe()`` (no Qt).

``lock_screen`` turns the phone model's plain description into the few facts a
view draws: the newest notification, its state line, the open unlock prompt.
Keeping it Qt-free lets tests check the reading without a widget.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

UNKNOWN_FINGER = "left-pinky"  # not enrolled anywhere: lets a tester try a wrong finger
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
    notification: dict[str, Any] | None  # the newest visible one
    answerable: bool
    state_line: str
    numbers: tuple[int, ...]
    prompt_offers: tuple[str, ...]  # unlock methods the open prompt offers
    fingers: tuple[str, ...]


def _app_line(app: dict[str, Any]) -> str:
    if not app.get("installed"):
        return "app not installed"
    if app.get("locked"):
        return "app locked (too many wrong PINs)"
    if not app.get("activated"):
        return "app installed, not activated"
    push = "push registered" if app.get("pushRegistered") else "no push registration"
    return f"{app.get('serial')} · {push}"


def _state_line(note: dict[str, Any], clock: float) -> str:
    status = str(note["status"])
    reason = str(note.get("reason", ""))
    if status in ("new", "opened"):
        expires = note.get("expires")
        left = f"expires in {max(0, int(expires - clock))} s" if expires else ""
        need = PROTECTION_TEXT.get(note.get("protection", ""), "")
        return " · ".join(part for part in (need, left) if part)
    label = {"approved": "✓ approved", "rejected": "✗ rejected"}.get(status, status)
    if not reason:
        return label
    if reason.startswith(status):  # "approved with pin" says it all
        return f"{label[0]} {reason}" if label[0] in "✓✗" else reason
    return f"{label} · {reason}"


def lock_screen(described: dict[str, Any]) -> LockScreen:
    """Read ``Phone.describe()`` as a lock screen."""
    app = described["app"]
    settings = described["settings"]
    notes = described["notifications"]
    prompt = app.get("prompt")
    # the newest notification, unless the user is unlocking to answer an older one
    prompted = [n for n in notes if prompt and n["id"] == prompt.get("notificationID")]
    note = prompted[0] if prompted else (notes[-1] if notes else None)
    clock = float(described["clock"])
    platform = described["platform"]
    return LockScreen(
        name=described["name"],
        platform=platform,
        model_line=f"{'iOS' if platform == 'ios' else 'Android'} · "
        f"{APP_NAMES.get(app.get('kind', ''), app.get('kind', ''))}",
        online=bool(described["online"]),
        airplane=bool(settings.get("airplaneMode")),
        clock=clock,
        app_line=_app_line(app),
        notification=note,
        answerable=note is not None and note["status"] in ("new", "opened"),
        state_line="" if note is None else _state_line(note, clock),
        numbers=tuple(note.get("numbers", ())) if note else (),
        prompt_offers=tuple(prompt["offered"]) if prompt else (),
        fingers=tuple(described["fingerprint"]["enrolled"]),
    )


# -- the card ---------------------------------------------------------------------------
