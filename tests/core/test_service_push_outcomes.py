"""Provider answers -> session outcome and authenticator status (SPEC §2.3), via the service."""

from __future__ import annotations

import httpx
import pytest

from core.storage.records import AUTH_ACTIVE, AUTH_PUSH_UNREGISTERED
from tests.core.device_core import CoreEnv, answer, signed
from tests.core.helpers_core import apns_error, fcm_error

IOS_TOKEN = "cd" * 32


async def login_alice(env: CoreEnv) -> tuple[str, str]:
    result = await env.service.login(user_id="alice", domain="demo", passkey="pushDemo-1234")
    await env.service.push.wait_idle()
    session = await env.service.session_status(result.request_id)
    return session.status, session.reason


async def login_bob(env: CoreEnv) -> tuple[str, str]:
    result = await env.service.login(user_id="bob", domain="demo", passkey="NoPINDemo-1234")
    await env.service.push.wait_idle()
    session = await env.service.session_status(result.request_id)
    return session.status, session.reason


async def authenticator_status(env: CoreEnv, serial: str) -> str:
    return (await env.service.directory.get_authenticator(serial)).status


@pytest.mark.parametrize(
    "answer_",
    [fcm_error(404, "UNREGISTERED", rpc_status="NOT_FOUND"), httpx.Response(404)],
)
async def test_fcm_unregistered_fails_and_marks_push_unregistered(
    core_env: CoreEnv, answer_: httpx.Response
) -> None:
    keys = await core_env.activate("alice")
    core_env.providers.fcm_answers = [answer_]
    status, reason = await login_alice(core_env)
    assert status == "failure"
    assert reason.startswith("push token unregistered (fcm:")
    assert await authenticator_status(core_env, keys.serial) == AUTH_PUSH_UNREGISTERED
    assert len(core_env.providers.sends()) == 1  # no retry for a dead token
    # the next login finds no push-ready authenticator until the app re-registers
    with pytest.raises(Exception, match="no active authenticator"):
        await core_env.service.login(user_id="alice", domain="demo", passkey="pushDemo-1234")
    fields = {"platform": "android", "pushToken": "new", "appID": "com.pushsim.authenticator"}
    await core_env.service.activation.register_push(
        serial=keys.serial,
        platform="android",
        push_token="new",
        app_id="com.pushsim.authenticator",
        time=core_env.now,
        signature=signed(keys, "notification-registration", {**fields, "time": core_env.now}),
    )
    assert await authenticator_status(core_env, keys.serial) == AUTH_ACTIVE
    assert (await login_alice(core_env))[0] == "pending"


@pytest.mark.parametrize(("status", "reason"), [(410, "Unregistered"), (400, "BadDeviceToken")])
async def test_apns_unregistered_fails_and_marks_push_unregistered(
    core_env: CoreEnv, status: int, reason: str
) -> None:
    keys = await core_env.activate("bob", platform="ios", app_kind="sdk", push_token=IOS_TOKEN)
    core_env.providers.apns_answers = [apns_error(status, reason)]
    outcome = await login_bob(core_env)
    assert outcome == ("failure", f"push token unregistered (apns: {reason})")
    assert await authenticator_status(core_env, keys.serial) == AUTH_PUSH_UNREGISTERED


@pytest.mark.parametrize(
    ("ios", "error", "reason"),
    [
        (False, fcm_error(401, "THIRD_PARTY_AUTH_ERROR"), "fcm: THIRD_PARTY_AUTH_ERROR"),
        (True, apns_error(403, "InvalidProviderToken"), "apns: InvalidProviderToken"),
        (True, apns_error(403, "ExpiredProviderToken"), "apns: ExpiredProviderToken"),
        (True, apns_error(400, "DeviceTokenNotForTopic"), "apns: DeviceTokenNotForTopic"),
        (True, apns_error(400, "TopicDisallowed"), "apns: TopicDisallowed"),
    ],
)
async def test_auth_errors_fail_with_the_providers_reason(
    core_env: CoreEnv, ios: bool, error: httpx.Response, reason: str
) -> None:
    if ios:
        keys = await core_env.activate("bob", platform="ios", app_kind="sdk", push_token=IOS_TOKEN)
        core_env.providers.apns_answers = [error]
        outcome = await login_bob(core_env)
    else:
        keys = await core_env.activate("alice")
        core_env.providers.fcm_answers = [error]
        outcome = await login_alice(core_env)
    assert outcome == ("failure", f"push refused: {reason}")
    assert await authenticator_status(core_env, keys.serial) == AUTH_ACTIVE
    assert len(core_env.providers.sends()) == 1


async def test_retries_exhausted_fail_without_poll_fallback(core_env: CoreEnv) -> None:
    await core_env.activate("alice")
    core_env.providers.fcm_answers = [fcm_error(503, "UNAVAILABLE")] * 4
    status, reason = await login_alice(core_env)
    assert status == "failure"
    assert reason == "push not delivered: fcm: UNAVAILABLE (gave up after 4 attempts)"
    assert len(core_env.providers.sends()) == 4
    assert core_env.sleep.delays == [0.01, 0.02, 0.04]


async def test_retries_exhausted_stay_pending_with_poll_fallback(core_env: CoreEnv) -> None:
    await core_env.service.directory.update_domain("demo", {"poll_fallback": True})
    keys = await core_env.activate("bob", platform="ios", app_kind="sdk", push_token=IOS_TOKEN)
    core_env.providers.apns_answers = [apns_error(429, "TooManyRequests", retry_after="0.03")] * 4
    result = await core_env.service.login(user_id="bob", domain="demo", passkey="NoPINDemo-1234")
    await core_env.service.push.wait_idle()
    session = await core_env.service.session_status(result.request_id)
    assert session.status == "pending"
    assert session.push_state == "poll-fallback"
    assert core_env.sleep.delays == [0.03, 0.03, 0.03]
    message = await core_env.service.device.fetch_pending(
        keys.serial, time=core_env.now, signature=signed(keys, "pending", {"time": core_env.now})
    )
    assert message is not None
    decided = await core_env.service.respond(
        serial=keys.serial, response_message=answer(keys, message, now=core_env.now)
    )
    assert decided.status == "accepted"
    trace = await core_env.service.trace(result.request_id)
    kinds = [e.kind for e in trace.events]
    assert kinds.count("push.attempt") == 4
    assert "challenge.fetched" in kinds


async def test_retry_then_delivered_keeps_pending(core_env: CoreEnv) -> None:
    await core_env.activate("alice")
    core_env.providers.fcm_answers = [fcm_error(500, "INTERNAL")]
    assert (await login_alice(core_env))[0] == "pending"
    assert len(core_env.providers.sends()) == 2


async def test_missing_push_app_configuration_fails(core_env: CoreEnv) -> None:
    await core_env.activate("alice")
    await core_env.service.directory.delete_push_app("com.pushsim.authenticator")
    status, reason = await login_alice(core_env)
    assert (status, reason) == (
        "failure",
        "no push app configuration for app ID com.pushsim.authenticator",
    )
