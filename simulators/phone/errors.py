"""What can go wrong on a virtual phone, as one hierarchy.

```
PhoneError
├── PhoneOffline             airplane mode: the phone has no network
├── AppNotInstalled          the authenticator app is uninstalled
├── NotActivated             the app holds no keys yet
├── ActivationFailed         a step of the offline activation failed (.reason)
├── NotificationNotFound     no visible notification with that id
├── RequestUnusable          the request cannot be answered (.reason):
│   ├── RequestExpired       expired by the phone's own clock
│   └── AlreadyAnswered      this phone already answered it
├── NumberChoiceError        number matching: no pick, or a pick not offered
├── UnlockError              the app could not be unlocked:
│   ├── WrongPin             the PIN did not decrypt the PIN key (.remaining)
│   ├── AppLocked            too many wrong PINs; the app is locked
│   ├── FingerMismatch       an unknown finger (.remaining)
│   ├── BiometricLockout     too many mismatches; use the PIN
│   ├── NoFingerEnrolled     the sensor has no enrolled finger; use the PIN
│   ├── UnlockNotAllowed     that method does not satisfy what the request needs
│   ├── NoUnlockPrompt       nothing is waiting for an unlock
│   └── UnlockCancelled      the user closed the unlock prompt
└── CoreApiError             the core answered with an error (.status, .message)
    └── CoreUnreachable      no answer at all (connection refused, timeout)
```

Messages never carry a PIN or key material.
"""

from __future__ import annotations

from typing import ClassVar


class PhoneError(Exception):
    """Base of every phone error; ``str()`` is fit to show the tester.

    ``reason`` is that text; an error that always says the same thing only
    names it in ``text`` (one constructor for all of them, no copies).
    """

    text: ClassVar[str] = ""

    def __init__(self, reason: str | None = None) -> None:
        self.reason = self.text if reason is None else reason
        super().__init__(self.reason)


class PhoneOffline(PhoneError):
    text = "airplane mode is on: the phone is offline"


class AppNotInstalled(PhoneError):
    text = "the authenticator app is not installed"


class NotActivated(PhoneError):
    text = "the authenticator app is not activated"


class ActivationFailed(PhoneError):
    def __init__(self, reason: str) -> None:
        super().__init__(f"activation failed: {reason}")
        self.reason = reason


class NotificationNotFound(PhoneError):
    def __init__(self, notification_id: str) -> None:
        super().__init__(f"no notification {notification_id!r} on this phone")
        self.notification_id = notification_id


class RequestUnusable(PhoneError):
    """Carries its ``reason``."""


class RequestExpired(RequestUnusable):
    text = "the request has expired (by the phone's clock)"


class AlreadyAnswered(RequestUnusable):
    text = "the request was already answered on this phone"


class NumberChoiceError(PhoneError):
    """Carries its ``reason``."""


class UnlockError(PhoneError):
    """The app could not be unlocked with what the user offered."""


class WrongPin(UnlockError):
    def __init__(self, remaining: int) -> None:
        super().__init__(f"wrong PIN ({remaining} attempts left)")
        self.remaining = remaining


class AppLocked(UnlockError):
    text = "the app is locked after too many wrong PINs"


class FingerMismatch(UnlockError):
    def __init__(self, remaining: int) -> None:
        super().__init__(f"fingerprint not recognised ({remaining} attempts left)")
        self.remaining = remaining


class BiometricLockout(UnlockError):
    text = "fingerprint locked out after too many mismatches; use the PIN"


class NoFingerEnrolled(UnlockError):
    text = "no finger is enrolled on this phone; use the PIN"


class UnlockNotAllowed(UnlockError):
    """Carries its ``reason``."""


class NoUnlockPrompt(UnlockError):
    text = "nothing is waiting for an unlock"


class UnlockCancelled(UnlockError):
    text = "the unlock prompt was closed"


class CoreApiError(PhoneError):
    """The core refused a device request; ``check`` names the failed validation step."""

    def __init__(self, status: int, message: str, *, check: str | None = None) -> None:
        super().__init__(f"core answered {status}: {message}" if status else message)
        self.status = status
        self.message = message
        self.check = check


class CoreUnreachable(CoreApiError):
    def __init__(self, message: str) -> None:
        super().__init__(0, f"core unreachable: {message}")
