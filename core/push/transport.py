"""The one seam between the core and a push provider.

A ``PushTransport`` makes exactly one attempt to hand a ``PushNotification``
to its provider and classifies the answer as a ``PushOutcome``. It never
retries and never touches sessions: the dispatcher owns retries and the
mapping to session/authenticator outcomes, so every provider (FCM, APNs, an
in-memory fake) gets the same policy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol


class PushOutcome(StrEnum):
    DELIVERED = "delivered"  # the provider accepted the notification
    UNREGISTERED = "unregistered"  # the device token is gone: mark the authenticator
    RETRYABLE = "retryable"  # 429, 5xx, network: try again later
    AUTH_ERROR = "auth-error"  # our credentials or topic are wrong: the operator must act
    REJECTED = "rejected"  # anything else the provider refuses for good


@dataclass(frozen=True, kw_only=True)
class PushNotification:
    """What the core wants delivered; the transport turns it into the provider's format."""

    token: str
    serial: str
    request_id: str
    title: str
    body: str
    ttl: int  # seconds the provider may hold it for an offline device
    expiration: int  # unix time after which APNs must drop it
    request_message: str | None = None
    challenge_key: str | None = None
    ended: str | None = None  # a silent "request ended" notice: the session's outcome

    def __post_init__(self) -> None:
        if self.ended is not None:
            if self.request_message is not None or self.challenge_key is not None:
                raise ValueError("an ended notice carries no request")
        elif (self.request_message is None) == (self.challenge_key is None):
            raise ValueError("exactly one of request_message and challenge_key")


def ended_fields(notification: PushNotification) -> dict[str, str]:
    """The custom keys of a "request ended" notice (docs/protocol.md §16.9), FCM and APNs alike."""
    return {
        "pushsim": "1",
        "type": "ended",
        "serialNumber": notification.serial,
        "requestID": notification.request_id,
        "outcome": str(notification.ended),
    }


@dataclass(frozen=True, kw_only=True)
class PushAttempt:
    """The classified answer to one send, with what went over the wire (for the trace)."""

    outcome: PushOutcome
    service: str  # fcm | apns | ...
    status: int | None  # HTTP status, None when no answer came
    reason: str  # the provider's reason/error code, or a description
    request_body: str = ""  # the JSON body sent to the provider
    request_headers: dict[str, str] = field(default_factory=dict)  # minus secrets
    response_body: str = ""
    message_id: str | None = None
    retry_after: float | None = None  # seconds, when the provider said so

    @classmethod
    def of(
        cls,
        service: str,
        outcome: PushOutcome,
        status: int | None,
        reason: str,
        **wire: Any,
    ) -> PushAttempt:
        """One sender's attempt; ``wire`` is what went over it (bodies, headers, IDs)."""
        return cls(outcome=outcome, service=service, status=status, reason=reason, **wire)


class PushTransport(Protocol):
    """One provider. ``payload_size`` lets the dispatcher pick challengeKey for big pushes."""

    service: str

    def payload_size(self, notification: PushNotification) -> int: ...

    async def send(self, notification: PushNotification) -> PushAttempt: ...
