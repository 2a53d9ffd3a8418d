"""The real thing: CoreServer (hypercorn over TLS on 127.0.0.1) + seed, driven over HTTPS."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from core.pki import client_ssl_context
from core.protocol.activation import (
    activation_signature,
    begin_device_activation,
    finish_device_activation,
    read_activation_message1,
)
from core.protocol.messages import Decision
from core.server import CoreServer
from core.service.errors import Conflict, Unauthorized
from tests.core.device_core import answer, signed, until
from tests.core.helpers_core import FakeProviders, session_record


async def test_push_login_over_https(running: tuple[CoreServer, FakeProviders]) -> None:
    server, providers = running
    assert server.url.startswith("https://127.0.0.1:")
    described = server.describe()
    token = described["admin_token"]
    admin = {"authorization": f"Bearer {token}"}
    verify = client_ssl_context(server.pki.ca_file)
    async with httpx.AsyncClient(base_url=server.url, verify=verify, http2=True) as client:
        spec = await client.get("/openapi.json")
        assert spec.status_code == 200
        assert spec.http_version == "HTTP/2"
        started = (
            await client.post(
                "/v1/users/register",
                headers=admin,
                json={
                    "userID": "bob",
                    "domain": "demo",
                    "activationType": "offlineMDL",
                    "appKind": "sdk",
                    "platform": "ios",
                },
            )
        ).json()
        reg = started["registrationID"]
        state, code = begin_device_activation(
            read_activation_message1(started["activationMessage1"]),
            started["activationPassword"],
        )
        added = await client.post(f"/v1/registrations/{reg}/add-device", json={"deviceCode": code})
        keys = finish_device_activation(state, added.json()["activationMessage2"])
        activated = await client.post(
            f"/v1/registrations/{reg}/activate",
            json={"signature": activation_signature(keys, reg)},
        )
        assert activated.json()["status"] == "active"
        now = server.clock.now()
        fields = {"platform": "ios", "pushToken": "ef" * 32, "appID": "com.pushsim.sdkdemo"}
        registered = await client.post(
            f"/v1/authenticators/{keys.serial}/notification-registration",
            json={
                **fields,
                "time": now,
                "signature": signed(keys, "notification-registration", {**fields, "time": now}),
            },
        )
        assert registered.status_code == 200
        login = await client.post(
            "/v1/users/bob@demo/login", json={"credentials": {"passKey": "fingerprintDemo-1234"}}
        )
        assert login.status_code == 200, login.text
        request_id = login.json()["requestID"]
        push = providers.sends()[-1]
        assert push.headers["apns-topic"] == "com.pushsim.sdkdemo"
        request_message = json.loads(push.content)["requestMessage"]
        poll = asyncio.create_task(client.get(f"/v1/sessions/{request_id}", params={"wait": 10}))
        decided = await client.post(
            "/v1/push/response",
            json={
                "serialNumber": keys.serial,
                "responseMessage": answer(
                    keys, request_message, now=server.clock.now(), decision=Decision.ACCEPT
                ),
            },
        )
        assert decided.json()["sessionStatus"] == "accepted"
        assert decided.json()["reason"] == "approved with fingerprint"
        async with asyncio.timeout(5):
            assert (await poll).json()["sessionStatus"] == "accepted"
        # error shapes hold over the wire too
        too_big = await client.post("/v1/push/response", content=b"x" * (70 * 1024))
        assert too_big.status_code == 413
        assert too_big.json()["validationErrors"] == []
        trace = await client.get(f"/v1/sessions/{request_id}/trace", headers=admin)
        assert [e["step"] for e in trace.json()["events"]] == [1, 2, 3, 3, 6, 7]


async def test_stop_releases_long_polls(running: tuple[CoreServer, FakeProviders]) -> None:
    server, _ = running
    now = server.clock.now()
    async with server.service.db.transaction() as tx:
        await tx.sessions.insert(session_record("parked", created=now, expires=now + 60))
    verify = client_ssl_context(server.pki.ca_file)
    async with httpx.AsyncClient(base_url=server.url, verify=verify) as client:
        poll = asyncio.create_task(client.get("/v1/sessions/parked", params={"wait": 30}))
        watch = server.service.context.watch
        await until(lambda: "parked" in watch._events, turns=100_000)
        async with asyncio.timeout(10):  # far below the 30 s the poll asked for
            await server.stop()
            response = await poll
    assert response.json()["sessionStatus"] == "pending"


async def test_demo_seed(running: tuple[CoreServer, FakeProviders]) -> None:
    server, _ = running
    directory = server.service.directory
    demo = await directory.get_domain("demo")
    assert demo.mobile_app_name == "com.pushsim.authenticator"
    assert dict(demo.keywords) == {
        "push": "device",
        "NoPIN": "device",
        "PIN": "pin",
        "Fingerprint": "fingerprint",
    }
    android = await directory.get_push_app("com.pushsim.authenticator")
    assert android.fcm_project_id == "pushsim-demo"
    assert android.fcm_service_account is not None
    assert "client_email" in android.fcm_service_account
    ios = await directory.get_push_app("com.pushsim.sdkdemo")
    assert (ios.apns_auth, ios.apns_key_id, ios.apns_team_id) == (
        "token",
        "PUSHSIMK01",
        "PUSHSIMTM1",
    )
    assert ios.apns_topic == "com.pushsim.sdkdemo"
    users = {u.user_id: u for u in await directory.list_users("demo")}
    assert set(users) == {"alice", "bob"}
    with pytest.raises(Unauthorized):
        await server.service.login(user_id="alice", domain="demo", passkey="pushWrong")
    with pytest.raises(Conflict, match="no active authenticator"):  # phones activate later
        await server.service.login(user_id="alice", domain="demo", passkey="pushDemo-1234")
