"""APNs error reasons and their HTTP status, as Apple documents them.

An error answer is ``:status`` plus a JSON body ``{"reason": "<Reason>"}``; a
410 also carries ``"timestamp"`` (milliseconds since the epoch when APNs last
confirmed the token was no longer valid for the topic).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

APNS_REASONS: dict[str, int] = {
    "BadCollapseId": 400,
    "BadDeviceToken": 400,
    "BadExpirationDate": 400,
    "BadMessageId": 400,
    "BadPriority": 400,
    "BadTopic": 400,
    "DeviceTokenNotForTopic": 400,
    "DuplicateHeaders": 400,
    "IdleTimeout": 400,
    "InvalidPushType": 400,
    "MissingDeviceToken": 400,
    "MissingTopic": 400,
    "PayloadEmpty": 400,
    "TopicDisallowed": 400,
    # Not in Apple's table: what the mock answers for a body that is not a
    # JSON object (APNs' own behaviour there is undocumented).
    "BadPayload": 400,
    "BadCertificate": 403,
    "BadCertificateEnvironment": 403,
    "ExpiredProviderToken": 403,
    "Forbidden": 403,
    "InvalidProviderToken": 403,
    "MissingProviderToken": 403,
    "UnrelatedKeyIdInToken": 403,
    "BadEnvironmentKeyInToken": 403,
    "BadPath": 404,
    "MethodNotAllowed": 405,
    "ExpiredToken": 410,
    "Unregistered": 410,
    "PayloadTooLarge": 413,
    "TooManyProviderTokenUpdates": 429,
    "TooManyRequests": 429,
    "InternalServerError": 500,
    "ServiceUnavailable": 503,
    "Shutdown": 503,
}


@dataclass(frozen=True, kw_only=True)
class ApnsResponse:
    """One APNs answer: HEADERS only on success, HEADERS + one JSON DATA frame on error."""

    status: int
    apns_id: str
    reason: str | None = None
    timestamp: int | None = None

    @classmethod
    def error(cls, reason: str, apns_id: str, *, timestamp: int | None = None) -> ApnsResponse:
        return cls(status=APNS_REASONS[reason], apns_id=apns_id, reason=reason, timestamp=timestamp)

    @property
    def body(self) -> bytes:
        if self.reason is None:
            return b""
        data: dict[str, object] = {"reason": self.reason}
        if self.timestamp is not None:
            data["timestamp"] = self.timestamp
        return json.dumps(data, separators=(",", ":")).encode("utf-8")
