"""The one error hierarchy of PushSim's protocol core.

Every error a peer can provoke is a ``PushSimError``; each subclass knows the
HTTP status the API answers with (``http_status``) and carries a ``reason``
that is safe to show to an operator and to put in a trace (never a key, a
password or a plaintext).

```
Exception
└── PushSimError                 http 500   base; .reason, .http_status, .validation_errors,
    │                                       .extra, .headers; body() is the API's error body
    ├── SecureChannelError       http 400   any malformed / forged / tampered /
    │                                       undecryptable Secure Channel message;
    │                                       deliberately opaque
    ├── ActivationError          http 400   activation step refused; .reason says why
    ├── PasskeyError             http 401   passKey does not fit the domain's method/keywords
    ├── SessionOutdated          http 409   an answer for a session already in a final state
    ├── InvalidMessageBody       http 400   a request/response body that is not valid JSON
    │                                       of the expected shape (after decryption)
    ├── ServiceError (core.service.errors)   the use cases' errors, one class per status
    └── ApiError (core.web.errors)            input and routing errors of an HTTP endpoint
```

This is the one error family of the product: whatever layer raises, every
error knows its HTTP status, and one handler turns any of them into the
spec's body ``{"message", "validationErrors", ...extra}``.

Misuse by the *local* caller (a key of the wrong length, a serial that is not
10 ASCII characters when sealing) is a programming error and raises the usual
``TypeError``/``ValueError`` instead: those are bugs to fix, not peers to
answer (the h11 split between local and remote errors).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

__all__ = [
    "OUTDATED_WORDS",
    "ActivationError",
    "InvalidMessageBody",
    "PasskeyError",
    "PushSimError",
    "SecureChannelError",
    "SessionOutdated",
]

# How a final session status reads in "session outdated: ..." (SPEC §2.3 says
# "expired", not "timeout"). Keyed by the SessionStatus values, which are
# plain strings, so this module need not import the state machine.
OUTDATED_WORDS: dict[str, str] = {
    "accepted": "accepted",
    "refused": "refused",
    "timeout": "expired",
    "failure": "failed",
}


class PushSimError(Exception):
    """Base of every error the protocol core raises on purpose."""

    http_status: int = 500  # per class; an instance may narrow it (ApiError)

    def __init__(
        self,
        reason: str,
        *,
        validation_errors: Sequence[Mapping[str, str]] = (),
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.validation_errors = tuple(dict(e) for e in validation_errors)
        self.extra = dict(extra or {})
        self.headers = dict(headers or {})

    @property
    def message(self) -> str:
        return self.reason

    def body(self) -> dict[str, Any]:
        """The API's error body: ``{"message", "validationErrors", ...extra}``."""
        return {
            "message": self.reason,
            "validationErrors": [dict(e) for e in self.validation_errors],
            **self.extra,
        }

    def __str__(self) -> str:
        return self.reason


class SecureChannelError(PushSimError):
    """A Secure Channel message was rejected, for whatever reason.

    Opaque on purpose: telling a peer *why* (bad tag, bad length, wrong type)
    would make the decoder an oracle. The caller's trace may record which
    validation step failed; the error itself never does.
    """

    http_status = 400
    MESSAGE: ClassVar[str] = "secure channel message rejected"

    def __init__(self) -> None:
        super().__init__(self.MESSAGE)


class ActivationError(PushSimError):
    """An activation step was refused; ``reason`` tells the user what to fix."""

    http_status = 400


class PasskeyError(PushSimError):
    """The passKey does not match the domain's request method or keywords."""

    http_status = 401


class SessionOutdated(PushSimError):
    """A transition was asked of a session that already reached a final state.

    ``status`` is the final status (``accepted``, ``refused``, ``timeout`` or
    ``failure``); ``str()`` reads ``session outdated: accepted|refused|expired|failed``.
    """

    http_status = 409

    def __init__(self, status: str) -> None:
        self.status = str(status)
        super().__init__(f"session outdated: {OUTDATED_WORDS.get(self.status, self.status)}")


class InvalidMessageBody(PushSimError):
    """A decrypted request/response body is not the JSON the protocol defines."""

    http_status = 400
