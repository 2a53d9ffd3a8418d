"""FCM HTTP v1 sender and dispatcher against httpx.MockTransport: each provider error class."""

from __future__ import annotations

import json

import httpx
import jwt
import pytest

from core.clock import FrozenClock
from core.push.dispatcher import LEGACY_FCM_REFUSED
from core.push.fcm import GOOGLE_TOKEN_AUDIENCE
from core.push.transport import PushNotification, PushOutcome
from tests.core.helpers_core import (
    RSA_PUBLIC,
    FakeProviders,
    SleepRecorder,
    fcm_config,
    fcm_error,
    make_dispatcher,
)


def notification(**changes: object) -> PushNotification:
    values: dict[str, object] = {
        "token": "fcm-token-1",
        "serial": "PS00000001",
        "request_id": "r1",
        "title": "Transaction Request",
        "body": "Tap here to confirm transaction",
        "ttl": 60,
        "expiration": 1_800_000_060,
        "request_message": "01" * 80,
    }
    values.update(changes)
    return PushNotification(**values)  # type: ignore[arg-type]


async def test_delivered_message_shape_and_oauth_assertion() -> None:
    providers = FakeProviders()
    dispatcher = make_dispatcher(providers)
    result = await dispatcher.dispatch(
        app=fcm_config(), notification=notification(), challenge_key="k"
    )
    assert result.outcome is PushOutcome.DELIVERED
    assert result.attempts[0].message_id == "projects/pushsim-demo/messages/1"
    token_request, send = providers.requests
    form = dict(x.split("=", 1) for x in token_request.content.decode().split("&"))
    assert form["grant_type"] == "urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"
    claims = jwt.decode(
        form["assertion"],
        RSA_PUBLIC,
        algorithms=["RS256"],
        audience=GOOGLE_TOKEN_AUDIENCE,
        options={"verify_iat": False, "verify_exp": False},
    )
    assert claims["iss"] == "core@pushsim-demo.iam.gserviceaccount.com"
    assert "firebase.messaging" in claims["scope"]
    assert send.url.path == "/v1/projects/pushsim-demo/messages:send"
    assert send.headers["authorization"] == "Bearer at-1"
    message = json.loads(send.content)["message"]
    assert message["token"] == "fcm-token-1"
    assert message["data"] == {
        "pushsim": "1",
        "serialNumber": "PS00000001",
        "requestID": "r1",
        "requestMessage": "01" * 80,
    }
    assert message["android"] == {"priority": "high", "ttl": "60s"}
    assert message["notification"]["title"] == "Transaction Request"
    await dispatcher.aclose()


async def test_access_token_is_cached_until_near_expiry() -> None:
    providers = FakeProviders()
    clock = FrozenClock()
    dispatcher = make_dispatcher(providers, clock=clock)
    for _ in range(3):
        await dispatcher.dispatch(app=fcm_config(), notification=notification(), challenge_key="k")
    assert providers.token_count == 1
    clock.advance(3600 - 200)  # inside the refresh margin (300 s) before expiry
    await dispatcher.dispatch(app=fcm_config(), notification=notification(), challenge_key="k")
    assert providers.token_count == 2
    assert providers.sends()[-1].headers["authorization"] == "Bearer at-2"


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (fcm_error(404, "UNREGISTERED", rpc_status="NOT_FOUND"), "UNREGISTERED"),
        (httpx.Response(404, text="no such token"), "HTTP 404"),
    ],
)
async def test_unregistered_is_final_without_retry(answer: httpx.Response, reason: str) -> None:
    providers = FakeProviders()
    providers.fcm_answers = [answer]
    result = await make_dispatcher(providers).dispatch(
        app=fcm_config(), notification=notification(), challenge_key="k"
    )
    assert result.outcome is PushOutcome.UNREGISTERED
    assert len(result.attempts) == 1
    assert result.reason == f"fcm: {reason}"


@pytest.mark.parametrize(
    ("status", "code"),
    [(429, "QUOTA_EXCEEDED"), (500, "INTERNAL"), (503, "UNAVAILABLE")],
)
async def test_retryable_then_delivered_honours_retry_after(status: int, code: str) -> None:
    providers = FakeProviders()
    providers.fcm_answers = [
        fcm_error(status, code, retry_after="0.07"),
        fcm_error(status, code),
    ]
    sleep = SleepRecorder()
    result = await make_dispatcher(providers, sleep=sleep).dispatch(
        app=fcm_config(), notification=notification(), challenge_key="k"
    )
    assert result.outcome is PushOutcome.DELIVERED
    assert len(result.attempts) == 3
    # Retry-After honoured first, then the policy's exponential backoff (0.01 * 2)
    assert sleep.delays == [0.07, 0.02]


async def test_retry_after_is_capped_and_retries_are_bounded() -> None:
    providers = FakeProviders()
    providers.fcm_answers = [fcm_error(503, "UNAVAILABLE", retry_after="86400")] * 10
    sleep = SleepRecorder()
    result = await make_dispatcher(providers, sleep=sleep).dispatch(
        app=fcm_config(), notification=notification(), challenge_key="k"
    )
    assert result.outcome is PushOutcome.RETRYABLE
    assert result.exhausted
    assert len(result.attempts) == 4  # max_attempts
    assert sleep.delays == [0.1, 0.1, 0.1]  # capped at retry_after_cap
    assert "gave up after 4 attempts" in result.reason


async def test_network_error_is_retryable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    providers = FakeProviders()
    dispatcher = make_dispatcher(providers)
    dispatcher._client_factory = lambda spec: httpx.AsyncClient(
        transport=httpx.MockTransport(refuse)
    )
    result = await dispatcher.dispatch(
        app=fcm_config(), notification=notification(), challenge_key="k"
    )
    assert result.outcome is PushOutcome.RETRYABLE
    assert "unreachable" in result.attempts[0].reason


@pytest.mark.parametrize(
    ("status", "code"),
    [(401, "THIRD_PARTY_AUTH_ERROR"), (403, "SENDER_ID_MISMATCH")],
)
async def test_auth_errors_fail_with_provider_reason(status: int, code: str) -> None:
    providers = FakeProviders()
    providers.fcm_answers = [fcm_error(status, code)]
    result = await make_dispatcher(providers).dispatch(
        app=fcm_config(), notification=notification(), challenge_key="k"
    )
    assert result.outcome is PushOutcome.AUTH_ERROR
    assert result.reason == f"fcm: {code}"
    assert len(result.attempts) == 1


async def test_stale_access_token_is_replaced_once() -> None:
    providers = FakeProviders()
    dispatcher = make_dispatcher(providers)
    await dispatcher.dispatch(app=fcm_config(), notification=notification(), challenge_key="k")
    providers.fcm_answers = [fcm_error(401, "", rpc_status="UNAUTHENTICATED")]
    result = await dispatcher.dispatch(
        app=fcm_config(), notification=notification(), challenge_key="k"
    )
    assert result.outcome is PushOutcome.DELIVERED
    assert providers.token_count == 2
    assert providers.sends()[-1].headers["authorization"] == "Bearer at-2"


async def test_token_endpoint_refusal_is_an_auth_error() -> None:
    providers = FakeProviders()
    providers.token_answers = [
        httpx.Response(400, json={"error": "invalid_grant", "error_description": "bad sig"})
    ]
    result = await make_dispatcher(providers).dispatch(
        app=fcm_config(), notification=notification(), challenge_key="k"
    )
    assert result.outcome is PushOutcome.AUTH_ERROR
    assert "invalid_grant" in result.reason
    assert providers.sends() == []


async def test_invalid_argument_is_rejected() -> None:
    providers = FakeProviders()
    providers.fcm_answers = [fcm_error(400, "INVALID_ARGUMENT")]
    result = await make_dispatcher(providers).dispatch(
        app=fcm_config(), notification=notification(), challenge_key="k"
    )
    assert result.outcome is PushOutcome.REJECTED


async def test_legacy_server_key_is_refused_without_sending() -> None:
    providers = FakeProviders()
    app = fcm_config(fcm_service_account=None, fcm_legacy_server_key="AAAA-legacy")
    result = await make_dispatcher(providers).dispatch(
        app=app, notification=notification(), challenge_key="k"
    )
    assert result.outcome is PushOutcome.REJECTED
    assert result.reason == LEGACY_FCM_REFUSED
    assert "legacy FCM API is shut down" in result.reason
    assert providers.requests == []


async def test_oversized_payload_falls_back_to_challenge_key() -> None:
    providers = FakeProviders()
    result = await make_dispatcher(providers).dispatch(
        app=fcm_config(),
        notification=notification(request_message="ab" * 2100),
        challenge_key="ck1",
    )
    assert result.challenge_key_used
    data = json.loads(providers.sends()[0].content)["message"]["data"]
    assert data["challengeKey"] == "ck1"
    assert "requestMessage" not in data


async def test_config_override_endpoint_is_used() -> None:
    providers = FakeProviders()
    app = fcm_config(endpoint="https://fcm.test/alt")
    await make_dispatcher(providers).dispatch(
        app=app, notification=notification(), challenge_key="k"
    )
    assert providers.sends()[0].url.path == "/alt/v1/projects/pushsim-demo/messages:send"
    assert providers.specs[0].system_trust
