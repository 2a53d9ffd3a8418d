"""Session status, long poll, expiry and the trace over the API."""

from __future__ import annotations

import asyncio

import httpx

from core.protocol.keys import UnlockProtection
from core.protocol.messages import Decision
from tests.core.device_core import ADMIN, CoreEnv, answer, until

LOGIN = "/v1/users/alice@demo/login"
PASSKEY = {"credentials": {"passKey": "pushDemo-1234"}}


async def login(api: httpx.AsyncClient) -> str:
    response = await api.post(LOGIN, json=PASSKEY)
    assert response.status_code == 200, response.text
    return str(response.json()["requestID"])


async def test_status_pending_then_accepted(api: httpx.AsyncClient, core_env: CoreEnv) -> None:
    keys = await core_env.activate("alice")
    request_id = await login(api)
    status = (await api.get(f"/v1/sessions/{request_id}")).json()
    assert status == {"requestID": request_id, "sessionStatus": "pending", "protection": "device"}
    message = answer(keys, core_env.last_request_message(), now=core_env.now)
    decided = await api.post(
        "/v1/push/response", json={"serialNumber": keys.serial, "responseMessage": message}
    )
    assert decided.json() == {
        "requestID": request_id,
        "sessionStatus": "accepted",
        "reason": "approved with device",
    }
    status = (await api.get(f"/v1/sessions/{request_id}")).json()
    assert status["sessionStatus"] == "accepted"


async def test_long_poll_wakes_on_the_decision(api: httpx.AsyncClient, core_env: CoreEnv) -> None:
    keys = await core_env.activate("alice")
    request_id = await login(api)
    poll = asyncio.create_task(api.get(f"/v1/sessions/{request_id}", params={"wait": "30"}))
    watch = core_env.service.context.watch
    await until(lambda: request_id in watch._events)  # the poll is parked on its event
    assert not poll.done()
    await core_env.service.respond(
        serial=keys.serial,
        response_message=answer(
            keys, core_env.last_request_message(), now=core_env.now, decision=Decision.REJECT
        ),
    )
    async with asyncio.timeout(5):  # far below the 30 s it would wait otherwise
        response = await poll
    assert response.json()["sessionStatus"] == "refused"
    assert response.json()["reason"] == "rejected by user"


async def test_long_poll_returns_pending_after_wait(
    api: httpx.AsyncClient, core_env: CoreEnv
) -> None:
    await core_env.activate("alice")
    request_id = await login(api)
    response = await api.get(f"/v1/sessions/{request_id}", params={"wait": "0.05"})
    assert response.json()["sessionStatus"] == "pending"


async def test_past_expiry_reads_timeout_and_sweeper_marks_it(
    api: httpx.AsyncClient, core_env: CoreEnv
) -> None:
    await core_env.activate("alice")
    first = await login(api)
    second = await login(api)  # cancels the first (pending limit 1)
    core_env.clock.advance(61)
    status = (await api.get(f"/v1/sessions/{second}")).json()
    assert status["sessionStatus"] == "timeout"
    assert "no answer within 60 s" in status["reason"]
    assert (await api.get(f"/v1/sessions/{first}")).json()["sessionStatus"] == "failure"
    third = await login(api)
    core_env.clock.advance(61)
    assert await core_env.service.sessions.expire_due() == [third]
    assert await core_env.service.sessions.expire_due() == []


async def test_unknown_session_is_404_unknown(api: httpx.AsyncClient) -> None:
    response = await api.get("/v1/sessions/nope")
    assert response.status_code == 404
    assert response.json()["sessionStatus"] == "unknown"
    assert response.json()["validationErrors"] == []


async def test_bad_wait_is_400(api: httpx.AsyncClient) -> None:
    response = await api.get("/v1/sessions/x", params={"wait": "soon"})
    assert response.status_code == 400
    assert response.json()["validationErrors"][0]["field"] == "wait"


async def test_trace_is_admin_only_and_ordered(api: httpx.AsyncClient, core_env: CoreEnv) -> None:
    keys = await core_env.activate("alice")
    request_id = await login(api)
    assert (await api.get(f"/v1/sessions/{request_id}/trace")).status_code == 401
    wrong = {"authorization": "Bearer wrong"}
    assert (await api.get(f"/v1/sessions/{request_id}/trace", headers=wrong)).status_code == 401
    message = answer(keys, core_env.last_request_message(), now=core_env.now)
    await api.post(
        "/v1/push/response", json={"serialNumber": keys.serial, "responseMessage": message}
    )
    trace = (await api.get(f"/v1/sessions/{request_id}/trace", headers=ADMIN)).json()
    steps = [e["step"] for e in trace["events"]]
    assert steps == sorted(steps)
    assert steps == [1, 2, 3, 3, 6, 7]
    by_kind = {e["kind"]: e for e in trace["events"]}
    created = by_kind["challenge.created"]
    assert created["raw"] == core_env.last_request_message()
    assert created["header"]["type"] == "REQUEST"
    assert created["header"]["protection"] == "0x01"
    assert created["body"]["requestID"] == request_id
    received = by_kind["response.received"]
    assert received["raw"] == message
    assert received["body"]["decision"] == "accept"
    assert received["from"] == "phone"
    assert received["to"] == "core"
    assert "pushDemo-1234" not in str(trace)  # the static password is never in the trace
    assert trace["failedCheck"] is None
    assert [c["check"] for c in trace["checks"]][:2] == ["secure_channel_tag", "serial_matches"]
    assert all(e["time"] for e in trace["events"])
    assert (await api.get("/v1/sessions/none/trace", headers=ADMIN)).status_code == 404


async def test_trace_names_the_failed_check(api: httpx.AsyncClient, core_env: CoreEnv) -> None:
    keys = await core_env.activate("alice")
    request_id = await login(api)
    message = answer(keys, core_env.last_request_message(), now=core_env.now)
    tampered = message[:-20] + ("0" if message[-20] != "0" else "1") + message[-19:]
    response = await api.post(
        "/v1/push/response", json={"serialNumber": keys.serial, "responseMessage": tampered}
    )
    assert response.status_code == 400
    assert response.json()["check"] == "secure_channel_tag"
    # not authentic, so it names no session: it is filed under the serial's pending one
    trace = (await api.get(f"/v1/sessions/{request_id}/trace", headers=ADMIN)).json()
    assert trace["failedCheck"] == "secure_channel_tag"
    received = [e for e in trace["events"] if e["kind"] == "response.received"]
    assert received[-1]["details"]["attributed"] is True
    assert received[-1]["details"]["headerVerified"] is False
    assert received[-1]["header"]["serialNumber"] == keys.serial
    status = (await api.get(f"/v1/sessions/{request_id}")).json()["sessionStatus"]
    assert status == "pending"  # a forged answer never changes the session


async def test_weak_protection_refuses_and_trace_says_why(
    api: httpx.AsyncClient, core_env: CoreEnv
) -> None:
    keys = await core_env.activate("bob", platform="ios", app_kind="sdk", push_token="ab" * 32)
    response = await api.post(
        "/v1/users/bob@demo/login", json={"credentials": {"passKey": "PINDemo-1234"}}
    )
    request_id = response.json()["requestID"]
    message = answer(
        keys, core_env.last_request_message(), now=core_env.now, protection=UnlockProtection.DEVICE
    )
    decided = await api.post(
        "/v1/push/response", json={"serialNumber": keys.serial, "responseMessage": message}
    )
    assert decided.status_code == 200
    assert decided.json()["sessionStatus"] == "refused"
    assert "protection insufficient" in decided.json()["reason"]
    trace = (await api.get(f"/v1/sessions/{request_id}/trace", headers=ADMIN)).json()
    assert trace["failedCheck"] == "protection_sufficient"
    failed = [c for c in trace["checks"] if not c["passed"]]
    assert [c["check"] for c in failed] == ["protection_sufficient"]
    # the APNs push went to the iOS app's topic (app ID, no Bundle ID configured)
    assert core_env.providers.sends()[-1].headers["apns-topic"] == "com.pushsim.sdkdemo"
