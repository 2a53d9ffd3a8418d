"""FCM HTTP v1 sender with an OAuth2 JWT-bearer access token that is cached.

One ``send`` = one ``messages:send`` call. The access token comes from the
service account's key (RS256 assertion, RFC 7523) and is reused until
``refresh_margin`` before it expires; concurrent sends share one token
request. A 401 UNAUTHENTICATED means *our* cached token went stale (the
provider restarted, the clock moved): the sender drops it and tries once more
with a fresh one. Every other answer is classified for the dispatcher.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import httpx
import jwt

from core.clock import Clock
from core.push.retry import parse_retry_after
from core.push.transport import PushAttempt, PushNotification, PushOutcome, ended_fields

GOOGLE_TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"  # noqa: S105 (a URL)
FCM_SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
_RETRYABLE_STATUS = {429, 500, 502, 503, 504}
_AUTH_CODES = {"THIRD_PARTY_AUTH_ERROR", "SENDER_ID_MISMATCH", "PERMISSION_DENIED"}


class CredentialsError(ValueError):
    """A service account (or APNs key) that cannot be used at all."""


@dataclass(frozen=True, kw_only=True)
class ServiceAccount:
    client_email: str
    private_key: str  # PEM
    private_key_id: str | None = None
    project_id: str | None = None

    @classmethod
    def from_json(cls, text: str) -> ServiceAccount:
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise CredentialsError("service account is not valid JSON") from exc
        if not isinstance(data, dict):
            raise CredentialsError("service account must be a JSON object")
        email, key = data.get("client_email"), data.get("private_key")
        if not isinstance(email, str) or not isinstance(key, str) or "PRIVATE KEY" not in key:
            raise CredentialsError("service account lacks client_email or private_key")
        key_id, project = data.get("private_key_id"), data.get("project_id")
        return cls(
            client_email=email,
            private_key=key,
            private_key_id=key_id if isinstance(key_id, str) else None,
            project_id=project if isinstance(project, str) else None,
        )


class TokenRequestFailed(Exception):
    def __init__(self, attempt: PushAttempt) -> None:
        super().__init__(attempt.reason)
        self.attempt = attempt


class OAuthTokenCache:
    """One access token per (service account, token URI), minted only when needed."""

    def __init__(self, *, clock: Clock, refresh_margin: float) -> None:
        self._clock = clock
        self._margin = refresh_margin
        self._token: str | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()
        self.minted = 0  # how many token requests succeeded (tests, diagnostics)

    def invalidate(self) -> None:
        self._token = None

    async def get(
        self,
        client: httpx.AsyncClient,
        account: ServiceAccount,
        token_uri: str,
        http_timeout: float,
    ) -> tuple[str, bool]:
        """(access token, freshly minted?)."""
        async with self._lock:
            now = self._clock.now()
            if self._token is not None and now < self._expires - self._margin:
                return self._token, False
            self._token, self._expires = await self._mint(client, account, token_uri, http_timeout)
            self.minted += 1
            return self._token, True

    async def _mint(
        self,
        client: httpx.AsyncClient,
        account: ServiceAccount,
        token_uri: str,
        http_timeout: float,
    ) -> tuple[str, float]:
        now = self._clock.now()
        claims = {
            "iss": account.client_email,
            "scope": FCM_SCOPE,
            "aud": GOOGLE_TOKEN_AUDIENCE,
            "iat": int(now),
            "exp": int(now) + 3600,
        }
        headers = {"kid": account.private_key_id} if account.private_key_id else None
        try:
            assertion = jwt.encode(claims, account.private_key, algorithm="RS256", headers=headers)
        except (ValueError, TypeError, jwt.PyJWTError) as exc:
            raise TokenRequestFailed(
                PushAttempt.of(
                    "fcm", PushOutcome.AUTH_ERROR, None, f"service account key unusable: {exc}"
                )
            ) from exc
        try:
            response = await client.post(
                token_uri,
                data={"grant_type": JWT_BEARER, "assertion": assertion},
                timeout=http_timeout,
            )
        except httpx.HTTPError as exc:
            raise TokenRequestFailed(
                PushAttempt.of(
                    "fcm", PushOutcome.RETRYABLE, None, f"OAuth token endpoint unreachable: {exc!r}"
                )
            ) from exc
        body = _json(response)
        token, expires_in = body.get("access_token"), body.get("expires_in", 3600)
        if response.status_code == 200 and isinstance(token, str):
            lifetime = float(expires_in) if isinstance(expires_in, int | float) else 3600.0
            return token, now + lifetime
        error = f"{body.get('error', response.status_code)}: {body.get('error_description', '')}"
        outcome = (
            PushOutcome.RETRYABLE
            if response.status_code in _RETRYABLE_STATUS
            else PushOutcome.AUTH_ERROR
        )
        raise TokenRequestFailed(
            PushAttempt.of(
                "fcm",
                outcome,
                response.status_code,
                f"OAuth token request refused: {error.strip()}",
                response_body=response.text,
                retry_after=parse_retry_after(response.headers.get("retry-after"), now=now),
            )
        )


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def fcm_error_code(body: dict[str, Any]) -> str:
    """The FcmError detail's errorCode, else the google.rpc status."""
    error = body.get("error")
    if not isinstance(error, dict):
        return ""
    for detail in error.get("details") or ():
        if isinstance(detail, dict) and isinstance(detail.get("errorCode"), str):
            return str(detail["errorCode"])
    status = error.get("status")
    return status if isinstance(status, str) else ""


def classify_fcm(status: int, code: str) -> PushOutcome:
    if code == "UNREGISTERED" or status == 404:
        return PushOutcome.UNREGISTERED
    if status in _RETRYABLE_STATUS or code in {"QUOTA_EXCEEDED", "UNAVAILABLE", "INTERNAL"}:
        return PushOutcome.RETRYABLE
    if code in _AUTH_CODES or status in (401, 403):
        return PushOutcome.AUTH_ERROR
    return PushOutcome.REJECTED


class FcmSender:
    service = "fcm"

    def __init__(
        self,
        *,
        client: httpx.AsyncClient,
        project_id: str,
        account: ServiceAccount,
        send_base: str,
        token_uri: str,
        tokens: OAuthTokenCache,
        clock: Clock,
        timeout: float = 10.0,
    ) -> None:
        self._client = client
        self._project_id = project_id
        self._account = account
        self._send_url = f"{send_base.rstrip('/')}/v1/projects/{project_id}/messages:send"
        self._token_uri = token_uri
        self._tokens = tokens
        self._clock = clock
        self._timeout = timeout

    def message(self, notification: PushNotification) -> dict[str, Any]:
        android = {"priority": "high", "ttl": f"{notification.ttl}s"}
        if notification.ended is not None:  # data only: nothing shown, the app updates itself
            data = ended_fields(notification)
            return {"message": {"token": notification.token, "data": data, "android": android}}
        data = {
            "pushsim": "1",
            "serialNumber": notification.serial,
            "requestID": notification.request_id,
        }
        if notification.request_message is not None:
            data["requestMessage"] = notification.request_message
        else:
            data["challengeKey"] = str(notification.challenge_key)
        return {
            "message": {
                "token": notification.token,
                "data": data,
                "notification": {"title": notification.title, "body": notification.body},
                "android": android,
            }
        }

    def payload_size(self, notification: PushNotification) -> int:
        # the whole request body: a conservative bound for the provider's data limit
        return len(json.dumps(self.message(notification), separators=(",", ":")).encode())

    async def send(self, notification: PushNotification) -> PushAttempt:
        body = json.dumps(self.message(notification), separators=(",", ":"))
        try:
            token, fresh = await self._tokens.get(
                self._client, self._account, self._token_uri, self._timeout
            )
            attempt = await self._post(body, token)
            if attempt.status == 401 and attempt.reason == "UNAUTHENTICATED" and not fresh:
                self._tokens.invalidate()
                token, _ = await self._tokens.get(
                    self._client, self._account, self._token_uri, self._timeout
                )
                attempt = await self._post(body, token)
        except TokenRequestFailed as failed:
            return failed.attempt
        if attempt.status == 401 and attempt.reason == "UNAUTHENTICATED":
            self._tokens.invalidate()  # refused even when fresh: the next send mints anew
        return attempt

    async def _post(self, body: str, token: str) -> PushAttempt:
        try:
            response = await self._client.post(
                self._send_url,
                content=body.encode(),
                headers={"authorization": f"Bearer {token}", "content-type": "application/json"},
                timeout=self._timeout,
            )
        except httpx.HTTPError as exc:
            return PushAttempt.of(
                "fcm", PushOutcome.RETRYABLE, None, f"FCM unreachable: {exc!r}", request_body=body
            )
        data = _json(response)
        if response.status_code == 200:
            name = data.get("name")
            return PushAttempt.of(
                "fcm",
                PushOutcome.DELIVERED,
                200,
                "accepted",
                request_body=body,
                response_body=response.text,
                message_id=name if isinstance(name, str) else None,
            )
        code = fcm_error_code(data) or f"HTTP {response.status_code}"
        return PushAttempt.of(
            "fcm",
            classify_fcm(response.status_code, code),
            response.status_code,
            code,
            request_body=body,
            response_body=response.text,
            retry_after=parse_retry_after(
                response.headers.get("retry-after"), now=self._clock.now()
            ),
        )
