"""APNs sender over HTTP/2 with a cached ES256 provider token (or client-certificate auth).

Apple refuses provider tokens older than an hour and throttles tokens renewed
more often than every 20 minutes (TooManyProviderTokenUpdates), so the token
is minted once and renewed after ``refresh_after`` seconds (20-60 min). With
certificate auth the TLS client certificate authenticates and no token is
sent. An ExpiredProviderToken/InvalidProviderToken answer drops the cached
token, so the next send starts fresh; the failing send itself is reported as
an auth error, as SPEC §2.3 asks.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import jwt

from core.clock import Clock
from core.push.fcm import CredentialsError
from core.push.retry import parse_retry_after
from core.push.transport import PushAttempt, PushNotification, PushOutcome, ended_fields

UNREGISTERED_REASONS = {"Unregistered", "BadDeviceToken", "ExpiredToken"}
AUTH_REASONS = {
    "InvalidProviderToken",
    "ExpiredProviderToken",
    "MissingProviderToken",
    "DeviceTokenNotForTopic",
    "TopicDisallowed",
    "BadCertificate",
    "BadCertificateEnvironment",
    "Forbidden",
}
_STALE_TOKEN_REASONS = {"InvalidProviderToken", "ExpiredProviderToken"}
_RETRYABLE_STATUS = {429, 500, 502, 503, 504}


@dataclass(frozen=True, kw_only=True)
class ApnsTokenKey:
    key_pem: str  # the .p8 file: PKCS#8 P-256 private key
    key_id: str
    team_id: str


class ProviderTokenCache:
    """One ES256 provider token per (team, key), renewed after ``refresh_after`` seconds."""

    def __init__(self, *, clock: Clock, refresh_after: float) -> None:
        self._clock = clock
        self._refresh_after = refresh_after
        self._token: str | None = None
        self._issued = 0.0
        self.minted = 0

    def invalidate(self) -> None:
        self._token = None

    def get(self, key: ApnsTokenKey) -> str:
        now = self._clock.now()
        if self._token is None or now - self._issued >= self._refresh_after:
            try:
                self._token = jwt.encode(
                    {"iss": key.team_id, "iat": int(now)},
                    key.key_pem,
                    algorithm="ES256",
                    headers={"kid": key.key_id},
                )
            except (ValueError, TypeError, jwt.PyJWTError) as exc:
                raise CredentialsError(f"APNs token key unusable: {exc}") from exc
            self._issued = now
            self.minted += 1
        return self._token


def classify_apns(status: int, reason: str) -> PushOutcome:
    if status == 410 or reason in UNREGISTERED_REASONS:
        return PushOutcome.UNREGISTERED
    if reason in AUTH_REASONS:
        return PushOutcome.AUTH_ERROR
    if status in _RETRYABLE_STATUS:
        return PushOutcome.RETRYABLE
    if status in (401, 403):
        return PushOutcome.AUTH_ERROR
    return PushOutcome.REJECTED


class ApnsSender:
    service = "apns"

    def __init__(
        self,
        *,
        client: httpx.AsyncClient,
        base: str,
        topic: str,
        clock: Clock,
        token_key: ApnsTokenKey | None,
        tokens: ProviderTokenCache | None,
        timeout: float = 10.0,
    ) -> None:
        if (token_key is None) != (tokens is None):
            raise ValueError("token auth needs both the key and a token cache")
        self._client = client
        self._base = base.rstrip("/")
        self._topic = topic
        self._clock = clock
        self._key = token_key
        self._tokens = tokens
        self._timeout = timeout

    def payload(self, notification: PushNotification) -> dict[str, Any]:
        if notification.ended is not None:  # a background push: nothing shown
            return {"aps": {"content-available": 1}, **ended_fields(notification)}
        payload: dict[str, Any] = {
            "aps": {
                "alert": {"title": notification.title, "body": notification.body},
                "mutable-content": 1,
            },
            "pushsim": 1,
            "serialNumber": notification.serial,
            "requestID": notification.request_id,
        }
        if notification.request_message is not None:
            payload["requestMessage"] = notification.request_message
        else:
            payload["challengeKey"] = notification.challenge_key
        return payload

    def payload_size(self, notification: PushNotification) -> int:
        return len(json.dumps(self.payload(notification), separators=(",", ":")).encode())

    async def send(self, notification: PushNotification) -> PushAttempt:
        body = json.dumps(self.payload(notification), separators=(",", ":"))
        apns_id = str(uuid.uuid4())
        headers = {
            "apns-topic": self._topic,
            # Apple: background pushes must be priority 5
            "apns-push-type": "alert" if notification.ended is None else "background",
            "apns-priority": "10" if notification.ended is None else "5",
            "apns-expiration": str(notification.expiration),
            "apns-id": apns_id,
        }
        shown = dict(headers)  # what the trace shows: never the bearer token
        if self._key is not None and self._tokens is not None:
            try:
                token = self._tokens.get(self._key)
            except CredentialsError as exc:
                return PushAttempt.of(
                    "apns",
                    PushOutcome.AUTH_ERROR,
                    None,
                    str(exc),
                    request_body=body,
                    request_headers=shown,
                )
            headers["authorization"] = f"bearer {token}"
            shown["authorization"] = "bearer <provider token>"
        url = f"{self._base}/3/device/{notification.token}"
        try:
            response = await self._client.post(
                url, content=body.encode(), headers=headers, timeout=self._timeout
            )
        except httpx.HTTPError as exc:
            return PushAttempt.of(
                "apns",
                PushOutcome.RETRYABLE,
                None,
                f"APNs unreachable: {exc!r}",
                request_body=body,
                request_headers=shown,
            )
        if response.status_code == 200:
            return PushAttempt.of(
                "apns",
                PushOutcome.DELIVERED,
                200,
                "accepted",
                request_body=body,
                request_headers=shown,
                message_id=response.headers.get("apns-id", apns_id),
            )
        reason = _reason(response)
        if reason in _STALE_TOKEN_REASONS and self._tokens is not None:
            self._tokens.invalidate()
        return PushAttempt.of(
            "apns",
            classify_apns(response.status_code, reason),
            response.status_code,
            reason,
            request_body=body,
            request_headers=shown,
            response_body=response.text,
            retry_after=parse_retry_after(
                response.headers.get("retry-after"), now=self._clock.now()
            ),
        )


def _reason(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("reason"), str):
        return str(data["reason"])
    return f"HTTP {response.status_code}"
