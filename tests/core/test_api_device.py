"""Device-facing endpoints: push registration, poll fallback, challengeKey, response."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import httpx
import pytest

from core.protocol.errors import SecureChannelError
from core.protocol.keys import AuthenticatorKeys, UnlockProtection
from core.protocol.messages import ChallengeResponse, Decision
from core.protocol.secure_channel import MessageType, Protection, peek_header, seal
from core.seed import DEMO_KEYWORDS
from core.settings import FAST_TEST_SETTINGS
from tests.core.device_core import (
    ADMIN,
    CoreEnv,
    answer,
    api_client,
    make_env,
    open_request,
    signed,
)

LOGIN = "/v1/users/alice@demo/login"
PASSKEY = {"credentials": {"passKey": "pushDemo-1234"}}


async def login(api: httpx.AsyncClient, user: str = "alice", passkey: str = "push") -> str:
    response = await api.post(
        f"/v1/users/{user}@demo/login", json={"credentials": {"passKey": passkey + "Demo-1234"}}
    )
    assert response.status_code == 200, response.text
    return str(response.json()["requestID"])


async def respond(api: httpx.AsyncClient, serial: str, message: str) -> httpx.Response:
    return await api.post(
        "/v1/push/response", json={"serialNumber": serial, "responseMessage": message}
    )


# -- notification registration -----------------------------------------------------------


async def test_notification_registration_signed(api: httpx.AsyncClient, core_env: CoreEnv) -> None:
    keys = await core_env.activate("alice", push_token="first")
    fields = {"platform": "android", "pushToken": "second", "appID": "com.pushsim.authenticator"}
    now = core_env.now
    body = {
        **fields,
        "time": now,
        "signature": signed(keys, "notification-registration", {**fields, "time": now}),
    }
    url = f"/v1/authenticators/{keys.serial}/notification-registration"
    response = await api.post(url, json=body)
    assert response.status_code == 200
    assert response.json()["status"] == "active"
    got = await core_env.service.directory.get_authenticator(keys.serial)
    assert got.push_token == "second"
    # tampering with any signed field breaks the signature
    assert (await api.post(url, json={**body, "pushToken": "evil"})).status_code == 401
    # a stale time is refused even with a valid signature
    old = now - 3600
    stale = {
        **fields,
        "time": old,
        "signature": signed(keys, "notification-registration", {**fields, "time": old}),
    }
    assert (await api.post(url, json=stale)).status_code == 401


@pytest.mark.parametrize(
    ("content", "status"),
    [
        (b"{", 400),
        (b'{"platform": "android"}', 400),
        (
            b'{"platform": "windows", "pushToken": "t", "appID": "a", "time": 1, "signature": "1"}',
            400,
        ),
        (
            b'{"platform": "android", "pushToken": 1, "appID": "a", "time": "x", "signature": "1"}',
            400,
        ),
    ],
)
async def test_notification_registration_bad_bodies(
    api: httpx.AsyncClient, content: bytes, status: int
) -> None:
    response = await api.post(
        "/v1/authenticators/PS00000000/notification-registration", content=content
    )
    assert response.status_code == status
    assert response.json()["validationErrors"] or "JSON" in response.json()["message"]


async def test_notification_registration_unknown_serial_and_app(
    api: httpx.AsyncClient, core_env: CoreEnv
) -> None:
    keys = await core_env.activate("alice")
    fields = {"platform": "android", "pushToken": "t", "appID": "com.unknown.app"}
    body = {
        **fields,
        "time": core_env.now,
        "signature": signed(keys, "notification-registration", {**fields, "time": core_env.now}),
    }
    response = await api.post(
        f"/v1/authenticators/{keys.serial}/notification-registration", json=body
    )
    assert response.status_code == 400
    assert "no push app configuration" in response.json()["message"]
    response = await api.post("/v1/authenticators/PS99999999/notification-registration", json=body)
    assert response.status_code == 404


# -- poll fallback and challengeKey (step 4) ---------------------------------------------


def pending_query(keys: AuthenticatorKeys, now: float) -> dict[str, str]:
    return {"time": repr(now), "signature": signed(keys, "pending", {"time": now})}


async def test_pending_poll_is_fetch_once_and_needs_the_domain(
    api: httpx.AsyncClient, core_env: CoreEnv
) -> None:
    keys = await core_env.activate("alice")
    request_id = await login(api)
    url = f"/v1/authenticators/{keys.serial}/pending"
    query = pending_query(keys, core_env.now)
    forbidden = await api.get(url, params=query)
    assert forbidden.status_code == 403
    assert "does not allow polling" in forbidden.json()["message"]
    await core_env.service.directory.update_domain("demo", {"poll_fallback": True})
    first = (await api.get(url, params=query)).json()["requestMessage"]
    assert open_request(keys, first).request_id == request_id
    assert (await api.get(url, params=query)).json() == {"requestMessage": None}
    bad = {**query, "signature": "0" * 16}
    assert (await api.get(url, params=bad)).status_code == 401
    assert (await api.get(url, params={"time": query["time"]})).status_code == 400
    assert (await api.get(url, params={**query, "time": "later"})).status_code == 400
    assert (await api.get("/v1/authenticators/PS99999999/pending", params=query)).status_code == 404


async def test_big_challenge_goes_by_challenge_key_fetched_once(tmp_path: Path) -> None:
    env = await make_env(
        tmp_path, settings=dataclasses.replace(FAST_TEST_SETTINGS, payload_limit=300)
    )
    await env.add_domain(keywords=dict(DEMO_KEYWORDS))
    await env.add_apps()
    await env.service.directory.create_user("alice", "demo", "Demo-1234")
    keys = await env.activate("alice")
    async with api_client(env) as api:
        request_id = await login(api)
        data = json.loads(env.providers.sends()[-1].content)["message"]["data"]
        assert "requestMessage" not in data
        body = {"serialNumber": keys.serial, "challengeKey": data["challengeKey"]}
        first = await api.post("/v1/push/secure-challenge", json=body)
        assert first.status_code == 200
        assert open_request(keys, first.json()["requestMessage"]).request_id == request_id
        again = await api.post("/v1/push/secure-challenge", json=body)
        assert again.status_code == 404
        other = {"serialNumber": "PS00000000", "challengeKey": data["challengeKey"]}
        assert (await api.post("/v1/push/secure-challenge", json=other)).status_code == 404
        assert (
            await api.post("/v1/push/secure-challenge", json={"serialNumber": 1})
        ).status_code == 400
        trace = (await api.get(f"/v1/sessions/{request_id}/trace", headers=ADMIN)).json()
        assert "challenge.fetched" in [e["kind"] for e in trace["events"]]
    await env.service.close()
    await env.service.db.close()


# -- the response (steps 6-7) --------------------------------------------------------------


async def test_second_answer_is_refused_as_outdated(
    api: httpx.AsyncClient, core_env: CoreEnv
) -> None:
    keys = await core_env.activate("alice")
    await login(api)
    request = core_env.last_request_message()
    assert (
        await respond(api, keys.serial, answer(keys, request, now=core_env.now))
    ).status_code == 200
    again = await respond(
        api, keys.serial, answer(keys, request, now=core_env.now, decision=Decision.REJECT)
    )
    assert again.status_code == 409
    assert again.json()["message"] == "session outdated: accepted"
    assert again.json()["check"] == "session_pending"


async def test_replayed_nonce_is_refused(api: httpx.AsyncClient, core_env: CoreEnv) -> None:
    keys = await core_env.activate("alice")
    await login(api)
    first = answer(keys, core_env.last_request_message(), now=core_env.now)
    assert (await respond(api, keys.serial, first)).status_code == 200
    request_id = await login(api)
    # a new, valid answer for the new session that reuses the old message's nonce
    request = open_request(keys, core_env.last_request_message())
    reply = ChallengeResponse.create(
        request=request,
        decision=Decision.ACCEPT,
        protection=UnlockProtection.DEVICE,
        instance_key=keys.instance_keys[UnlockProtection.DEVICE],
        now=core_env.now,
    )
    replay = seal(
        type=MessageType.RESPONSE,
        protection=Protection.ENCRYPT_AND_MAC,
        serial=keys.serial,
        body=reply.to_bytes(),
        keys=keys.device_to_server,
        nonce=peek_header(first).nonce,
    )
    response = await respond(api, keys.serial, replay)
    assert response.status_code == 403
    assert response.json()["check"] == "nonce_fresh"
    assert (await api.get(f"/v1/sessions/{request_id}")).json()["sessionStatus"] == "pending"


async def test_serial_mismatch_is_403(api: httpx.AsyncClient, core_env: CoreEnv) -> None:
    alice = await core_env.activate("alice")
    await login(api)
    request = open_request(alice, core_env.last_request_message())
    reply = ChallengeResponse.create(
        request=request,
        decision=Decision.ACCEPT,
        protection=UnlockProtection.DEVICE,
        instance_key=alice.instance_keys[UnlockProtection.DEVICE],
        now=core_env.now,
    )
    forged = seal(
        type=MessageType.RESPONSE,
        protection=Protection.ENCRYPT_AND_MAC,
        serial="PS12345678",  # header names another serial, tag made with alice's keys
        body=reply.to_bytes(),
        keys=alice.device_to_server,
    )
    response = await respond(api, alice.serial, forged)
    assert response.status_code == 403
    assert response.json()["check"] == "serial_matches"


async def test_answer_after_expiry_times_out(api: httpx.AsyncClient, core_env: CoreEnv) -> None:
    keys = await core_env.activate("alice")
    await login(api)
    message = answer(keys, core_env.last_request_message(), now=core_env.now)
    core_env.clock.advance(120)
    response = await respond(api, keys.serial, message)
    assert response.status_code == 200
    assert response.json()["sessionStatus"] == "timeout"


async def test_wrong_number_refuses(api: httpx.AsyncClient, core_env: CoreEnv) -> None:
    await core_env.service.directory.update_domain("demo", {"number_matching": True})
    keys = await core_env.activate("alice")
    number = (await api.post(LOGIN, json=PASSKEY)).json()["number"]
    request = open_request(keys, core_env.last_request_message())
    assert request.numbers is not None
    wrong = next(n for n in request.numbers if n != number)
    message = answer(keys, core_env.last_request_message(), now=core_env.now, number=wrong)
    response = await respond(api, keys.serial, message)
    assert response.json()["sessionStatus"] == "refused"
    assert response.json()["reason"] == "wrong number picked"


async def test_right_number_accepts(api: httpx.AsyncClient, core_env: CoreEnv) -> None:
    await core_env.service.directory.update_domain("demo", {"number_matching": True})
    keys = await core_env.activate("alice")
    number = (await api.post(LOGIN, json=PASSKEY)).json()["number"]
    message = answer(keys, core_env.last_request_message(), now=core_env.now, number=number)
    assert (await respond(api, keys.serial, message)).json()["sessionStatus"] == "accepted"


@pytest.mark.parametrize(
    ("content", "status"),
    [
        (b"{{", 400),
        (b'{"serialNumber": "PS00000001"}', 400),
        (b'{"serialNumber": 5, "responseMessage": "00"}', 400),
        (b'{"serialNumber": "short", "responseMessage": "00"}', 400),
        (b'{"serialNumber": "PS99999999", "responseMessage": "0011"}', 404),
    ],
)
async def test_response_bad_bodies(api: httpx.AsyncClient, content: bytes, status: int) -> None:
    response = await api.post("/v1/push/response", content=content)
    assert response.status_code == status
    assert "message" in response.json()


async def test_garbage_message_is_400_never_500(api: httpx.AsyncClient, core_env: CoreEnv) -> None:
    keys = await core_env.activate("alice")
    for garbage in ("", "zz", "00" * 5, "01" * 40, "0104" + "00" * 60):
        response = await respond(api, keys.serial, garbage)
        assert response.status_code in (400, 404), garbage
        if response.status_code == 400 and "check" in response.json():
            assert response.json()["check"] == "secure_channel_tag"


async def test_an_expired_challenge_cannot_be_fetched_even_before_the_sweep(
    tmp_path: Path,
) -> None:
    env = await make_env(
        tmp_path, settings=dataclasses.replace(FAST_TEST_SETTINGS, payload_limit=300)
    )
    await env.add_domain(keywords=dict(DEMO_KEYWORDS))
    await env.add_apps()
    await env.service.directory.create_user("alice", "demo", "Demo-1234")
    keys = await env.activate("alice")
    async with api_client(env) as api:
        await login(api)
        data = json.loads(env.providers.sends()[-1].content)["message"]["data"]
        env.clock.advance(61)  # past the 60 s push timeout; no sweep has run (frozen clock)
        body = {"serialNumber": keys.serial, "challengeKey": data["challengeKey"]}
        late = await api.post("/v1/push/secure-challenge", json=body)
        assert late.status_code == 404
    await env.service.close()
    await env.service.db.close()


async def test_an_authentic_message_with_a_bad_body_gets_the_one_opaque_answer(
    api: httpx.AsyncClient, core_env: CoreEnv
) -> None:
    keys = await core_env.activate("alice")
    request_id = await login(api)
    unencrypted = seal(  # authentic (MAC-only), but a response must be encrypted
        type=MessageType.RESPONSE,
        protection=Protection.MAC_ONLY,
        serial=keys.serial,
        body=b"{}",
        keys=keys.device_to_server,
    )
    response = await respond(api, keys.serial, unencrypted)
    assert response.status_code == 400
    assert response.json()["message"] == SecureChannelError.MESSAGE
    trace = (await api.get(f"/v1/sessions/{request_id}/trace", headers=ADMIN)).json()
    refused = [e for e in trace["events"] if e["kind"] == "response.refused"]
    assert refused, "the operator still sees why"
    assert "0x01" in str(refused[-1]["details"]["reason"])
