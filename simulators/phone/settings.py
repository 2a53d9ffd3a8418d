"""The switches a tester flips on a phone, and the phone's own clock.

Settings are device state: they persist with the phone and survive an app
reinstall. The clock offset makes the phone's clock disagree with the rest of
the simulation, so QA can show what a phone with a wrong clock does (it judges
expiry, and stamps its responses and signed requests, by its own time).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.clock import Clock


@dataclass(frozen=True, kw_only=True)
class PhoneSettings:
    airplane_mode: bool = False  # offline: no delivery stream, no outgoing requests
    notifications_denied: bool = False  # pushes arrive but are not shown
    clock_offset: float = 0.0  # seconds added to the simulation clock
    # A tampered app that ignores the protection the request requires (signs
    # with whatever key it has). The core must refuse what it sends.
    ignore_required_protection: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {wire: getattr(self, name) for name, wire in _SETTING_WIRE_NAMES.items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PhoneSettings:
        """Missing settings keep their defaults; each value is converted to the default's type."""
        default = cls()
        values: dict[str, Any] = {}
        for name, wire in _SETTING_WIRE_NAMES.items():
            fallback = getattr(default, name)
            values[name] = type(fallback)(data.get(wire, fallback))
        return cls(**values)


_SETTING_WIRE_NAMES = {
    "airplane_mode": "airplaneMode",
    "notifications_denied": "notificationsDenied",
    "clock_offset": "clockOffset",
    "ignore_required_protection": "ignoreRequiredProtection",
}


class PhoneClock:
    """The simulation clock seen through the phone's offset (a ``Clock`` itself)."""

    def __init__(self, base: Clock, offset: float = 0.0) -> None:
        self.base = base
        self.offset = offset

    def now(self) -> float:
        return self.base.now() + self.offset
