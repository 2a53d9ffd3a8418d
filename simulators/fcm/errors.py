"""FCM HTTP v1 error answers: the google.rpc body with an ``FcmError`` detail.

::

    {"error": {"code": 404, "message": "...", "status": "NOT_FOUND",
               "details": [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                            "errorCode": "UNREGISTERED"}]}}

The table maps each FCM error code to its HTTP status and google.rpc status,
which is what client libraries (firebase-admin) read to pick an exception.
A bad bearer is a plain google.rpc ``UNAUTHENTICATED`` without FCM detail.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from simulators.delivery.asgi import HttpResponse
from simulators.delivery.faults import MAX_RETRY_AFTER

FCM_ERROR_TYPE = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
BAD_REQUEST_TYPE = "type.googleapis.com/google.rpc.BadRequest"


class FcmErrorCode(StrEnum):
    INVALID_ARGUMENT = "INVALID_ARGUMENT"
    THIRD_PARTY_AUTH_ERROR = "THIRD_PARTY_AUTH_ERROR"
    SENDER_ID_MISMATCH = "SENDER_ID_MISMATCH"
    UNREGISTERED = "UNREGISTERED"
    QUOTA_EXCEEDED = "QUOTA_EXCEEDED"
    INTERNAL = "INTERNAL"
    UNAVAILABLE = "UNAVAILABLE"


_RPC_STATUS: dict[FcmErrorCode, tuple[int, str]] = {
    FcmErrorCode.INVALID_ARGUMENT: (400, "INVALID_ARGUMENT"),
    FcmErrorCode.THIRD_PARTY_AUTH_ERROR: (401, "UNAUTHENTICATED"),
    FcmErrorCode.SENDER_ID_MISMATCH: (403, "PERMISSION_DENIED"),
    FcmErrorCode.UNREGISTERED: (404, "NOT_FOUND"),
    FcmErrorCode.QUOTA_EXCEEDED: (429, "RESOURCE_EXHAUSTED"),
    FcmErrorCode.INTERNAL: (500, "INTERNAL"),
    FcmErrorCode.UNAVAILABLE: (503, "UNAVAILABLE"),
}
_DEFAULT_MESSAGE: dict[FcmErrorCode, str] = {
    FcmErrorCode.INVALID_ARGUMENT: "Request contains an invalid argument.",
    FcmErrorCode.THIRD_PARTY_AUTH_ERROR: "Auth error from APNS or Web Push Service",
    FcmErrorCode.SENDER_ID_MISMATCH: "SenderId mismatch",
    FcmErrorCode.UNREGISTERED: "Requested entity was not found.",
    FcmErrorCode.QUOTA_EXCEEDED: "Quota exceeded for sending messages to this device or project.",
    FcmErrorCode.INTERNAL: "Internal error encountered.",
    FcmErrorCode.UNAVAILABLE: "The service is currently unavailable.",
}
# code -> (HTTP status, google.rpc status, default message)
FCM_ERRORS: dict[FcmErrorCode, tuple[int, str, str]] = {
    code: (*status, _DEFAULT_MESSAGE[code]) for code, status in _RPC_STATUS.items()
}

UNAUTHENTICATED_MESSAGE = (
    "Request had invalid authentication credentials. Expected OAuth 2 access token, "
    "login cookie or other valid authentication credential."
)


def _retry_after(seconds: int | None) -> tuple[tuple[str, str], ...]:
    if seconds is None:
        return ()
    return (("retry-after", str(max(0, min(seconds, MAX_RETRY_AFTER)))),)


def rpc_error(
    code: int,
    status: str,
    message: str,
    *,
    details: Sequence[dict[str, Any]] = (),
    retry_after: int | None = None,
) -> HttpResponse:
    error: dict[str, Any] = {"code": code, "message": message, "status": status}
    if details:
        error["details"] = list(details)
    return HttpResponse.json(code, {"error": error}, headers=_retry_after(retry_after))


def fcm_error(
    code: FcmErrorCode,
    message: str | None = None,
    *,
    field: str | None = None,
    retry_after: int | None = None,
) -> HttpResponse:
    http_status, rpc_status, default = FCM_ERRORS[code]
    details: list[dict[str, Any]] = [{"@type": FCM_ERROR_TYPE, "errorCode": code.value}]
    if field is not None:
        details.append(
            {
                "@type": BAD_REQUEST_TYPE,
                "fieldViolations": [{"field": field, "description": message or default}],
            }
        )
    return rpc_error(
        http_status, rpc_status, message or default, details=details, retry_after=retry_after
    )


def unauthenticated(message: str = UNAUTHENTICATED_MESSAGE) -> HttpResponse:
    return rpc_error(401, "UNAUTHENTICATED", message)
