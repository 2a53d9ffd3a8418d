"""From a push app configuration to a delivered (or failed) notification.

The dispatcher picks the sender for the app's platform (FCM for Android, APNs
for iOS, with the Bundle ID falling back to the app ID), swaps the inline
``requestMessage`` for a one-time ``challengeKey`` when the provider payload
would exceed 4096 bytes, and retries the answers that say "try again" (429,
5xx, network) with capped exponential backoff that honours Retry-After, within
a total time budget. It reports every attempt through a hook (the service
turns them into step-3 events) and returns the final classification; what
that means for the session and the authenticator is the service's business.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

from core.clock import Clock
from core.push.apns import ApnsSender, ApnsTokenKey, ProviderTokenCache
from core.push.clients import ClientFactory, ClientSpec, default_client_factory
from core.push.config import PushAppConfig
from core.push.endpoints import ProviderEndpoints
from core.push.fcm import CredentialsError, FcmSender, OAuthTokenCache, ServiceAccount
from core.push.retry import backoff_delay
from core.push.transport import PushAttempt, PushNotification, PushOutcome, PushTransport
from core.settings import CoreSettings

LEGACY_FCM_REFUSED = (
    "legacy FCM API is shut down: configure an FCM service account (HTTP v1)"
    " instead of a server key"
)

AttemptHook = Callable[[int, PushAttempt, float | None], Awaitable[bool]]
"""(attempt number, attempt, delay before the next attempt or None when final) -> go on?

Returning False stops the retries (the session was decided meanwhile)."""


class PushConfigError(Exception):
    """The push app configuration cannot send at all; the message says why."""


@dataclass(frozen=True, kw_only=True)
class DispatchResult:
    outcome: PushOutcome
    attempts: tuple[PushAttempt, ...]
    challenge_key_used: bool
    reason: str  # for the operator: the provider's reason or what is misconfigured
    stopped: bool = False  # the hook ended the retries early

    @property
    def exhausted(self) -> bool:
        """Retries ran out on answers that were all 'try again'."""
        return self.outcome is PushOutcome.RETRYABLE


class PushDispatcher:
    def __init__(
        self,
        *,
        endpoints: ProviderEndpoints,
        clock: Clock,
        settings: CoreSettings,
        client_factory: ClientFactory = default_client_factory,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.endpoints = endpoints
        self._clock = clock
        self._settings = settings
        self._client_factory = client_factory
        self._sleep = sleep
        self._clients: dict[ClientSpec, httpx.AsyncClient] = {}
        self._oauth: dict[tuple[str, str], OAuthTokenCache] = {}
        self._provider_tokens: dict[tuple[str, str, str], ProviderTokenCache] = {}

    def _client(self, spec: ClientSpec) -> httpx.AsyncClient:
        client = self._clients.get(spec)
        if client is None:
            client = self._clients[spec] = self._client_factory(spec)
        return client

    def oauth_cache(self, client_email: str, token_uri: str) -> OAuthTokenCache:
        key = (client_email, token_uri)
        if key not in self._oauth:
            self._oauth[key] = OAuthTokenCache(
                clock=self._clock, refresh_margin=self._settings.oauth_refresh_margin
            )
        return self._oauth[key]

    def provider_token_cache(self, key: ApnsTokenKey) -> ProviderTokenCache:
        # the key material is part of the identity: a replaced .p8 must not reuse old tokens
        cache_key = (key.team_id, key.key_id, key.key_pem)
        if cache_key not in self._provider_tokens:
            self._provider_tokens[cache_key] = ProviderTokenCache(
                clock=self._clock, refresh_after=self._settings.apns_token_refresh
            )
        return self._provider_tokens[cache_key]

    def transport_for(self, app: PushAppConfig) -> PushTransport:
        if app.platform == "android":
            return self._fcm(app)
        if app.platform == "ios":
            return self._apns(app)
        raise PushConfigError(f"push app {app.app_id} has unknown platform {app.platform!r}")

    def _fcm(self, app: PushAppConfig) -> FcmSender:
        if not app.fcm_service_account:
            if app.fcm_legacy_server_key:
                raise PushConfigError(LEGACY_FCM_REFUSED)
            raise PushConfigError(f"push app {app.app_id} has no FCM service account")
        try:
            account = ServiceAccount.from_json(app.fcm_service_account)
        except CredentialsError as exc:
            raise PushConfigError(f"push app {app.app_id}: {exc}") from exc
        project = app.fcm_project_id or account.project_id
        if not project:
            raise PushConfigError(f"push app {app.app_id} has no FCM project ID")
        token_uri = app.token_uri or self.endpoints.fcm_token_uri
        spec = ClientSpec(
            service="fcm",
            http2=False,
            ca_file=self.endpoints.ca_file,
            system_trust=app.endpoint is not None or app.token_uri is not None,
        )
        return FcmSender(
            client=self._client(spec),
            project_id=project,
            account=account,
            send_base=app.endpoint or self.endpoints.fcm_send_base,
            token_uri=token_uri,
            tokens=self.oauth_cache(account.client_email, token_uri),
            clock=self._clock,
            timeout=self._settings.provider_timeout,
        )

    def _apns(self, app: PushAppConfig) -> ApnsSender:
        key: ApnsTokenKey | None = None
        cert: str | None = None
        if app.apns_auth == "certificate":
            if not app.apns_cert_pem:
                raise PushConfigError(f"push app {app.app_id} has no APNs client certificate")
            cert = app.apns_cert_pem
        elif app.apns_auth == "token":
            if not (app.apns_key_pem and app.apns_key_id and app.apns_team_id):
                raise PushConfigError(
                    f"push app {app.app_id} needs an APNs token key, key ID and team ID"
                )
            key = ApnsTokenKey(
                key_pem=app.apns_key_pem, key_id=app.apns_key_id, team_id=app.apns_team_id
            )
        else:
            raise PushConfigError(f"push app {app.app_id} has no APNs authentication configured")
        spec = ClientSpec(
            service="apns",
            http2=True,
            ca_file=self.endpoints.ca_file,
            system_trust=app.endpoint is not None,
            client_cert_pem=cert,
        )
        try:
            client = self._client(spec)
        except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
            raise PushConfigError(f"push app {app.app_id}: client certificate unusable") from exc
        return ApnsSender(
            client=client,
            base=app.endpoint or self.endpoints.apns_base,
            topic=app.apns_topic,
            clock=self._clock,
            token_key=key,
            tokens=None if key is None else self.provider_token_cache(key),
            timeout=self._settings.provider_timeout,
        )

    async def dispatch(
        self,
        *,
        app: PushAppConfig,
        notification: PushNotification,
        challenge_key: str,
        on_attempt: AttemptHook | None = None,
        budget: float | None = None,
    ) -> DispatchResult:
        """Send with bounded retries; ``budget`` caps the total seconds spent (with backoff)."""
        try:
            transport = self.transport_for(app)
        except PushConfigError as exc:
            return DispatchResult(
                outcome=PushOutcome.REJECTED, attempts=(), challenge_key_used=False, reason=str(exc)
            )
        used_key = False
        if transport.payload_size(notification) > self._settings.payload_limit:
            notification = dataclasses.replace(
                notification, request_message=None, challenge_key=challenge_key
            )
            used_key = True
        policy = self._settings.retry
        limit = policy.total_budget if budget is None else min(budget, policy.total_budget)
        loop = asyncio.get_running_loop()
        started = loop.time()
        attempts: list[PushAttempt] = []
        while True:
            attempt = await transport.send(notification)
            attempts.append(attempt)
            number = len(attempts)
            delay: float | None = None
            if attempt.outcome is PushOutcome.RETRYABLE and number < policy.max_attempts:
                delay = backoff_delay(policy, number, attempt.retry_after)
                if loop.time() - started + delay > limit:
                    delay = None  # the budget would be overrun: this was the last attempt
            go_on = True
            if on_attempt is not None:
                go_on = await on_attempt(number, attempt, delay)
            if delay is None or not go_on:
                return DispatchResult(
                    outcome=attempt.outcome,
                    attempts=tuple(attempts),
                    challenge_key_used=used_key,
                    reason=_reason(attempt, number),
                    stopped=delay is not None,
                )
            await self._sleep(delay)

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()


def _reason(attempt: PushAttempt, attempts: int) -> str:
    if attempt.outcome is PushOutcome.DELIVERED:
        return f"{attempt.service}: accepted"
    if attempt.outcome is PushOutcome.RETRYABLE:
        return f"{attempt.service}: {attempt.reason} (gave up after {attempts} attempts)"
    return f"{attempt.service}: {attempt.reason}"
