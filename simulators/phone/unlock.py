"""Unlocking the app: which instance key a user's PIN, finger or nothing releases.

``UnlockGate`` is the policy. Given the protection a request requires and what
the user offers, it releases the instance key of the protection actually used,
or raises an ``UnlockError``:

- required DEVICE: no unlock needed (the device key); a PIN or finger also works;
- required PIN: only the PIN;
- required FINGERPRINT: an enrolled finger; the PIN is offered as the fallback
  once biometrics are locked out or no finger is enrolled.

Wrong PINs count (the PIN key's GCM tag fails) and ``max_pin_failures`` of them
lock the app; a correct PIN resets the count and lifts a biometric lockout. The
counters persist through ``on_change``. A tampered app (``enforce=False``)
skips the policy and signs with whatever it has: the core must catch that.

``UnlockPrompt`` is the interactive form: the app opens a prompt and waits;
``Phone.unlock_with_pin``/``unlock_with_finger`` feed it attempts until one
works, the app locks, or the prompt is cancelled.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from core.protocol.keys import UnlockProtection
from simulators.phone.errors import (
    AppLocked,
    NoFingerEnrolled,
    UnlockCancelled,
    UnlockError,
    UnlockNotAllowed,
    WrongPin,
)
from simulators.phone.fingerprint import FingerprintSensor
from simulators.phone.keystore import Keystore, open_fingerprint_key, open_pin_key

DEFAULT_MAX_PIN_FAILURES = 5


@dataclass(frozen=True)
class Pin:
    """The user types a PIN. It is never shown in a repr, an event or a log."""

    pin: str = field(repr=False)


@dataclass(frozen=True)
class Finger:
    """The user touches the sensor with this finger (e.g. ``right-index``)."""

    finger: str


@dataclass(frozen=True)
class NoUnlock:
    """The user just taps approve."""


UnlockInput = Pin | Finger | NoUnlock


def method_name(given: UnlockInput) -> str:
    """How the user tried to unlock, safe to publish."""
    if isinstance(given, Pin):
        return "pin"
    if isinstance(given, Finger):
        return "fingerprint"
    return "none"


@dataclass(frozen=True, kw_only=True)
class UnlockedKey:
    protection: UnlockProtection
    key: bytes = field(repr=False)


class UnlockGate:
    """Releases instance keys according to the required protection."""

    def __init__(
        self,
        *,
        sensor: FingerprintSensor,
        pin_failures: int = 0,
        locked: bool = False,
        max_pin_failures: int = DEFAULT_MAX_PIN_FAILURES,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        if max_pin_failures < 1:
            raise ValueError("max_pin_failures must be at least 1")
        self.sensor = sensor
        self._pin_failures = pin_failures
        self._locked = locked
        self.max_pin_failures = max_pin_failures
        self._on_change = on_change or (lambda: None)
        # PIN attempts must be counted one at a time, even when two approvals race.
        self._lock = asyncio.Lock()

    @property
    def pin_failures(self) -> int:
        return self._pin_failures

    @property
    def locked(self) -> bool:
        return self._locked

    @property
    def remaining_pin_attempts(self) -> int:
        return max(0, self.max_pin_failures - self._pin_failures)

    def offered(self, required: UnlockProtection) -> tuple[UnlockProtection, ...]:
        """The unlock methods the app's prompt offers for ``required``."""
        if required is UnlockProtection.DEVICE:
            return ()
        if required is UnlockProtection.FINGERPRINT and self.sensor.available:
            return (UnlockProtection.FINGERPRINT,)
        return (UnlockProtection.PIN,)

    async def unlock(
        self,
        keystore: Keystore,
        required: UnlockProtection,
        given: UnlockInput,
        *,
        enforce: bool = True,
    ) -> UnlockedKey:
        async with self._lock:
            if self._locked:
                raise AppLocked()
            if isinstance(given, Pin):
                return await self._unlock_pin(keystore, required, given.pin, enforce=enforce)
            if isinstance(given, Finger):
                return self._unlock_finger(keystore, required, given.finger, enforce=enforce)
            if enforce and required is not UnlockProtection.DEVICE:
                raise UnlockNotAllowed(f"this request needs {required.value} protection")
            return UnlockedKey(protection=UnlockProtection.DEVICE, key=keystore.device_key)

    async def _unlock_pin(
        self, keystore: Keystore, required: UnlockProtection, pin: str, *, enforce: bool
    ) -> UnlockedKey:
        if enforce and required is UnlockProtection.FINGERPRINT and self.sensor.available:
            raise UnlockNotAllowed(
                "this request needs a fingerprint; the PIN is the fallback after a lockout"
            )
        key = await open_pin_key(keystore, pin)
        if key is None:
            self._pin_failures += 1
            if self._pin_failures >= self.max_pin_failures:
                self._locked = True
                self._on_change()
                raise AppLocked()
            self._on_change()
            raise WrongPin(self.remaining_pin_attempts)
        if self._pin_failures:
            self._pin_failures = 0
            self._on_change()
        self.sensor.reset_lockout()
        return UnlockedKey(protection=UnlockProtection.PIN, key=key)

    def _unlock_finger(
        self, keystore: Keystore, required: UnlockProtection, finger: str, *, enforce: bool
    ) -> UnlockedKey:
        if enforce and required is UnlockProtection.PIN:
            raise UnlockNotAllowed("this request needs the PIN")
        if not self.sensor.has_enrolled_finger:
            raise NoFingerEnrolled()
        match = self.sensor.touch(finger)
        return UnlockedKey(
            protection=UnlockProtection.FINGERPRINT, key=open_fingerprint_key(keystore, match)
        )


_Attempt = tuple[UnlockInput, "asyncio.Future[UnlockProtection]"]


class UnlockPrompt:
    """An open "unlock to approve" screen, fed attempts by the user."""

    def __init__(
        self,
        *,
        notification_id: str,
        required: UnlockProtection,
        offered: tuple[UnlockProtection, ...],
    ) -> None:
        self.notification_id = notification_id
        self.required = required
        self.offered = offered
        # None in the queue wakes the waiting app up when the prompt is closed.
        self._attempts: asyncio.Queue[_Attempt | None] = asyncio.Queue()
        self._cancelled = False

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    async def submit(self, given: UnlockInput) -> UnlockProtection:
        """Offer an attempt; returns the protection unlocked or raises why not."""
        if self._cancelled:
            raise UnlockCancelled()
        outcome: asyncio.Future[UnlockProtection] = asyncio.get_running_loop().create_future()
        self._attempts.put_nowait((given, outcome))
        return await outcome

    async def next_attempt(self) -> _Attempt:
        """The user's next attempt; raises UnlockCancelled once the prompt is closed."""
        attempt = await self._attempts.get()
        if attempt is None:
            raise UnlockCancelled()
        return attempt

    def cancel(self) -> None:
        """Close the prompt: queued and later attempts fail with UnlockCancelled."""
        if self._cancelled:
            return
        self._cancelled = True
        while not self._attempts.empty():
            attempt = self._attempts.get_nowait()
            if attempt is not None and not attempt[1].done():
                attempt[1].set_exception(UnlockCancelled())
        self._attempts.put_nowait(None)


def is_retryable(error: UnlockError) -> bool:
    """Whether the prompt stays open after ``error`` (everything but a locked app)."""
    return not isinstance(error, AppLocked | UnlockCancelled)
