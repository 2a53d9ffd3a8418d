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
    """Wall-clock time plus an adjustable offset (scenarios 'advance the clock').

    ``pause`` stops it (step mode holds the flow): ``now`` stays where it was
    until ``resume``, and the time spent paused is taken out of the offset, so
    deadlines computed before the pause keep the time they had left.
    """

    def __init__(self, offset: float = 0.0) -> None:
        self.offset = offset
        self._paused_at: float | None = None

    def now(self) -> float:
        return (time.time() if self._paused_at is None else self._paused_at) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds

    @property
    def paused(self) -> bool:
        return self._paused_at is not None

    def pause(self) -> None:
        if self._paused_at is None:
            self._paused_at = time.time()

    def resume(self) -> None:
        if self._paused_at is not None:
            self.offset -= time.time() - self._paused_at
            self._paused_at = None


class FrozenClock:
    """A clock that only moves when told to (unit tests)."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self._now = start

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds
