"""Clocks: the one place the core reads the time, so tests and scenarios can move it.

Protocol code never reads a clock; it is given ``now``. Services hold a
``Clock`` and pass ``clock.now()`` down.
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch."""
        ...


class SystemClock:
    """Wall-clock time plus an adjustable offset (scenarios 'advance the clock')."""

    def __init__(self, offset: float = 0.0) -> None:
        self.offset = offset

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


class FrozenClock:
    """A clock that only moves when told to (unit tests)."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self._now = start

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds
