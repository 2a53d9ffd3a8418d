"""Errors of the use cases, on top of the protocol's hierarchy.

```
PushSimError (core.protocol.errors)
└── ServiceError            .http_status, .reason, .validation_errors, .extra
    ├── InvalidInput        400  a field is missing, of the wrong type or out of range
    ├── Unauthorized        401  wrong static password, bad device signature
    ├── Forbidden           403  the domain forbids it; serial mismatch; replay
    ├── NotFound            404  unknown user, domain, session, registration ...
    ├── Conflict            409  exists already; no push-ready authenticator
    ├── Gone                410  an expired registration
    ├── PayloadTooLarge     413  a request body over the limit
    ├── Unprocessable       422  well-formed, but unusable (a key that does not load)
    ├── Locked              423  locked user or registration
    └── TooManyRequests     429  pending-push limit, reject cool-down
```

The API turns any of them into ``{"message", "validationErrors", ...extra}``
with the class's status; ``extra`` carries fields such as
``remainingAttempts``, ``check`` or ``requestID``.
"""

from __future__ import annotations

from core.protocol.errors import PushSimError


class ServiceError(PushSimError):
    """A use case refused; the subclass says which HTTP status that is (``status=``)."""

    http_status = 400

    def __init_subclass__(cls, *, status: int | None = None, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if status is not None:
            cls.http_status = status


class InvalidInput(ServiceError, status=400): ...


class Unauthorized(ServiceError, status=401): ...


class Forbidden(ServiceError, status=403): ...


class NotFound(ServiceError, status=404): ...


class Conflict(ServiceError, status=409): ...


class Gone(ServiceError, status=410): ...


class PayloadTooLarge(ServiceError, status=413): ...


class Unprocessable(ServiceError, status=422): ...


class Locked(ServiceError, status=423): ...


class TooManyRequests(ServiceError, status=429): ...
