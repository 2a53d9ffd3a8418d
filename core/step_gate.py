"""Step mode: the flow really waits before each of the seven steps of a push login.

Every part that performs a step (the login client: 1; the core: 2, 3, 7; the
phone: 4, 5, 6) awaits ``gate.reach(step, request_id)`` just before doing it.
With step mode off that returns at once. With it on, the caller is held until
``release()`` (the trainer's "Next"); held steps are released in the order
they arrived. Leaving step mode releases everything.

While anything is held the gate pauses the suite's clock (``PausableClock``),
so no session expires and no phone counts down while the trainer talks: the
push timeout is *paused*, not extended, and resumes where it stood.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

STEPS = range(1, 8)


class Gate(Protocol):
    """What a part that performs a step holds: ``StepGate`` or ``NO_GATE``."""

    @property
    def enabled(self) -> bool:
        """Step mode is on: a call crossing the gate may wait without a time limit."""
        ...

    async def reach(self, step: int, request_id: str | None = None) -> None: ...


@runtime_checkable
class PausableClock(Protocol):
    def pause(self) -> None: ...
    def resume(self) -> None: ...


@dataclass(frozen=True)
class HeldStep:
    step: int
    request_id: str | None  # None before the core has named the session (step 1)


@dataclass(eq=False)
class _Waiter:
    held: HeldStep
    future: asyncio.Future[None] = field(repr=False)


class StepGate:
    def __init__(self, clock: object = None) -> None:
        # a clock that cannot pause (a test's frozen clock) is simply not paused
        self._clock = clock if isinstance(clock, PausableClock) else None
        self._enabled = False
        self._waiting: list[_Waiter] = []
        self._listeners: list[Callable[[], None]] = []

    # -- state -----------------------------------------------------------------------
    @property
    def enabled(self) -> bool:
        return self._enabled

    @property
    def held(self) -> tuple[HeldStep, ...]:
        """What waits now, oldest first."""
        return tuple(w.held for w in self._waiting)

    def on_change(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` whenever a step is held or released or the mode changes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener()

    # -- control ----------------------------------------------------------------------
    def set_enabled(self, on: bool) -> None:
        if on == self._enabled:
            return
        self._enabled = on
        if not on:
            while self._waiting:
                self._let_go(self._waiting[0])
        self._changed()

    def release(self) -> HeldStep | None:
        """Let the oldest held step go on; returns it (None if nothing waited)."""
        if not self._waiting:
            return None
        waiter = self._waiting[0]
        self._let_go(waiter)
        self._changed()
        return waiter.held

    def _let_go(self, waiter: _Waiter) -> None:
        self._waiting.remove(waiter)
        if not waiter.future.done():
            waiter.future.set_result(None)
        if not self._waiting and self._clock is not None:
            self._clock.resume()

    # -- the parts' side ----------------------------------------------------------------
    async def reach(self, step: int, request_id: str | None = None) -> None:
        """Wait here, before ``step``, while step mode holds the flow."""
        if step not in STEPS:
            raise ValueError(f"a push login has steps 1-7, not {step}")
        if not self._enabled:
            return
        waiter = _Waiter(HeldStep(step, request_id), asyncio.get_running_loop().create_future())
        if not self._waiting and self._clock is not None:
            self._clock.pause()
        self._waiting.append(waiter)
        self._changed()
        try:
            await waiter.future
        finally:
            if waiter in self._waiting:  # cancelled while held
                self._let_go(waiter)
                self._changed()


class _NoGate:
    enabled = False

    async def reach(self, step: int, request_id: str | None = None) -> None:
        return None


NO_GATE: Gate = _NoGate()  # parts built without step mode: never holds
