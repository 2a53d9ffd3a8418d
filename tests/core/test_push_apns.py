"""APNs sender and dispatcher against httpx.MockTransport: each provider error class."""

from __future__ import annotations

import json

import jwt
import pytest

from core.clock import FrozenClock
from core.push.transport import PushNotification, PushOutcome
from tests.core.helpers_core import (
    EC_PUBLIC,
    FakeProviders,
    SleepRecorder,
    apns_config,
    apns_error,
    make_dispatcher,
)

DEVICE_TOKEN = "ab" * 32


def notification(**changes: object) -> PushNotification:
    values: dict[str, object] = {
        "token": DEVICE_TOKEN,
        "serial": "PS00000002",
        "request_id": "r2",
        "title": "Transaction Request",
        "body": "Tap here to confirm transaction",
        "ttl": 60,
        "expiration": 1_800_000_060,
        "request_message": "02" * 80,
    }
    values.update(changes)
    return PushNotification(**values)  # type: ignore[arg-type]


async def test_delivered_with_headers_payload_and_provider_token() -> None:
    providers = FakeProviders()
    result = await make_dispatcher(providers).dispatch(
        app=apns_config(), notification=notification(), challenge_key="k"
    )
    assert result.outcome is PushOutcome.DELIVERED
    (send,) = providers.requests
    assert send.url.path == f"/3/device/{DEVICE_TOKEN}"
    # no Bundle ID configured: the app ID is the topic
    assert send.headers["apns-topic"] == "com.pushsim.sdkdemo"
    assert send.headers["apns-push-type"] == "alert"
    assert send.headers["apns-priority"] == "10"
    assert send.headers["apns-expiration"] == "1800000060"
    assert result.attempts[0].message_id == send.headers["apns-id"]
    token = send.headers["authorization"].removeprefix("bearer ")
    header = jwt.get_unverified_header(token)
    assert header == {"alg": "ES256", "kid": "PUSHSIMK01", "typ": "JWT"}
    assert (
        jwt.decode(token, EC_PUBLIC, algorithms=["ES256"], options={"verify_iat": False})["iss"]
        == "PUSHSIMTM1"
    )
    payload = json.loads(send.content)
    assert payload["aps"]["alert"]["body"] == "Tap here to confirm transaction"
    assert payload["aps"]["mutable-content"] == 1
    assert payload["requestMessage"] == "02" * 80
    assert "bearer <provider token>" in result.attempts[0].request_headers["authorization"]
    assert providers.specs[0].http2


async def test_bundle_id_is_the_topic_when_configured() -> None:
    providers = FakeProviders()
    await make_dispatcher(providers).dispatch(
        app=apns_config(apns_bundle_id="com.example.bundle"),
        notification=notification(),
        challenge_key="k",
    )
    assert providers.requests[0].headers["apns-topic"] == "com.example.bundle"


async def test_provider_token_reused_then_renewed_after_refresh_interval() -> None:
    providers = FakeProviders()
    clock = FrozenClock()
    dispatcher = make_dispatcher(providers, clock=clock)

    async def token() -> str:
        await dispatcher.dispatch(app=apns_config(), notification=notification(), challenge_key="k")
        return providers.requests[-1].headers["authorization"]

    first = await token()
    clock.advance(30 * 60)
    assert await token() == first  # < 45 min: cached
    clock.advance(16 * 60)
    renewed = await token()
    assert renewed != first


@pytest.mark.parametrize(("status", "reason"), [(410, "Unregistered"), (400, "BadDeviceToken")])
async def test_unregistered_and_bad_device_token(status: int, reason: str) -> None:
    providers = FakeProviders()
    providers.apns_answers = [apns_error(status, reason)]
    result = await make_dispatcher(providers).dispatch(
        app=apns_config(), notification=notification(), challenge_key="k"
    )
    assert result.outcome is PushOutcome.UNREGISTERED
    assert result.reason == f"apns: {reason}"
    assert len(result.attempts) == 1


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (403, "InvalidProviderToken"),
        (403, "ExpiredProviderToken"),
        (400, "DeviceTokenNotForTopic"),
        (400, "TopicDisallowed"),
    ],
)
async def test_auth_errors_fail_with_provider_reason(status: int, reason: str) -> None:
    providers = FakeProviders()
    providers.apns_answers = [apns_error(status, reason)]
    dispatcher = make_dispatcher(providers)
    result = await dispatcher.dispatch(
        app=apns_config(), notification=notification(), challenge_key="k"
    )
    assert result.outcome is PushOutcome.AUTH_ERROR
    assert result.reason == f"apns: {reason}"
    assert len(result.attempts) == 1


async def test_expired_provider_token_is_dropped_from_the_cache() -> None:
    providers = FakeProviders()
    clock = FrozenClock()
    dispatcher = make_dispatcher(providers, clock=clock)
    providers.apns_answers = [apns_error(403, "ExpiredProviderToken")]
    await dispatcher.dispatch(app=apns_config(), notification=notification(), challenge_key="k")
    clock.advance(1)  # a new token has a new iat
    await dispatcher.dispatch(app=apns_config(), notification=notification(), challenge_key="k")
    first, second = (r.headers["authorization"] for r in providers.requests)
    assert first != second


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (429, "TooManyRequests"),
        (500, "InternalServerError"),
        (503, "ServiceUnavailable"),
        (503, "Shutdown"),
    ],
)
async def test_retryable_with_backoff_then_failure(status: int, reason: str) -> None:
    providers = FakeProviders()
    providers.apns_answers = [apns_error(status, reason)] * 4
    sleep = SleepRecorder()
    result = await make_dispatcher(providers, sleep=sleep).dispatch(
        app=apns_config(), notification=notification(), challenge_key="k"
    )
    assert result.outcome is PushOutcome.RETRYABLE
    assert len(result.attempts) == 4
    assert sleep.delays == [0.01, 0.02, 0.04]


async def test_other_errors_are_rejected() -> None:
    providers = FakeProviders()
    providers.apns_answers = [apns_error(400, "BadPriority")]
    result = await make_dispatcher(providers).dispatch(
        app=apns_config(), notification=notification(), challenge_key="k"
    )
    assert result.outcome is PushOutcome.REJECTED
    assert result.reason == "apns: BadPriority"


async def test_certificate_auth_sends_no_bearer_token() -> None:
    providers = FakeProviders()
    app = apns_config(apns_auth="certificate", apns_cert_pem="-----BEGIN CERTIFICATE-----")
    result = await make_dispatcher(providers).dispatch(
        app=app, notification=notification(), challenge_key="k"
    )
    assert result.outcome is PushOutcome.DELIVERED
    assert "authorization" not in providers.requests[0].headers
    assert providers.specs[0].client_cert_pem == "-----BEGIN CERTIFICATE-----"


async def test_token_auth_without_key_is_a_configuration_error() -> None:
    providers = FakeProviders()
    result = await make_dispatcher(providers).dispatch(
        app=apns_config(apns_key_pem=None), notification=notification(), challenge_key="k"
    )
    assert result.outcome is PushOutcome.REJECTED
    assert "needs an APNs token key" in result.reason
    assert providers.requests == []


async def test_oversized_payload_falls_back_to_challenge_key() -> None:
    providers = FakeProviders()
    result = await make_dispatcher(providers).dispatch(
        app=apns_config(),
        notification=notification(request_message="ab" * 2100),
        challenge_key="ck",
    )
    assert result.challenge_key_used
    payload = json.loads(providers.requests[0].content)
    assert payload["challengeKey"] == "ck"
    assert len(providers.requests[0].content) <= 4096
