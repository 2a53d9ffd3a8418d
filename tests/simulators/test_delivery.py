"""Device side over real loopback HTTPS: streams, store-and-forward, uninstall, control API,
and who may use them (control bearer tokens, registration secrets).

Time is the mocks' FrozenClock, advanced by hand; nothing here sleeps.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.clock import FrozenClock
from core.events import EventBus
from core.pki import client_ssl_context
from simulators.apns.server import ApnsMock
from simulators.delivery.access import SECRET_HEADER
from simulators.delivery.client import (
    ApnsDeviceClient,
    DeliveryError,
    DeviceSecretRefusedError,
    DeviceUnregisteredError,
    FcmDeviceClient,
)
from simulators.fcm.server import FcmMock
from tests.simulators.mock_support import (
    DeviceListener,
    Material,
    kind_is,
    make_material,
    running_apns,
    running_fcm,
)

APP_ID = "com.pushsim.authenticator"
BUNDLE_ID = "com.pushsim.sdkdemo"
ADMIN = "workspace-admin-token"


@pytest.fixture(scope="module")
def material(tmp_path_factory: pytest.TempPathFactory) -> Material:
    return make_material(tmp_path_factory.mktemp("delivery"))


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def events() -> EventBus:
    return EventBus()


@pytest.fixture
async def fcm(material: Material, events: EventBus, clock: FrozenClock) -> AsyncIterator[FcmMock]:
    async with running_fcm(material, events, clock, admin_token=ADMIN) as mock:
        yield mock


@pytest.fixture
async def apns(material: Material, events: EventBus, clock: FrozenClock) -> AsyncIterator[ApnsMock]:
    async with running_apns(material, events, clock, admin_token=ADMIN) as mock:
        yield mock


@pytest.fixture
async def fcm_phone(fcm: FcmMock, material: Material) -> AsyncIterator[FcmDeviceClient]:
    async with FcmDeviceClient(fcm.device_url, material.pki.ca_file) as client:
        yield client  # type: ignore[misc]


@pytest.fixture
async def apns_phone(apns: ApnsMock, material: Material) -> AsyncIterator[ApnsDeviceClient]:
    async with ApnsDeviceClient(apns.device_url, material.pki.ca_file) as client:
        yield client  # type: ignore[misc]


@pytest.fixture
async def provider(material: Material) -> AsyncIterator[httpx.AsyncClient]:
    """The core's side: HTTP/2, trusting the workspace CA, with the APNs client certificate."""
    creds = material.creds
    verify = client_ssl_context(
        material.pki.ca_file, cert=(creds.apns_client_cert_file, creds.apns_client_key_file)
    )
    async with httpx.AsyncClient(http2=True, verify=verify) as client:
        yield client


async def _fcm_send(
    provider: httpx.AsyncClient, fcm: FcmMock, token: str, ttl: str, request_id: str
) -> httpx.Response:
    body = {
        "message": {
            "token": token,
            "data": {"pushsim": "1", "requestID": request_id},
            "android": {"priority": "high", "ttl": ttl},
        }
    }
    bearer = fcm.api.oauth.mint_access_token()
    return await provider.post(
        fcm.send_url, json=body, headers={"Authorization": f"Bearer {bearer}"}
    )


async def _apns_send(
    provider: httpx.AsyncClient, apns: ApnsMock, token: str, request_id: str, expiration: int
) -> httpx.Response:
    payload = {"aps": {"alert": {"title": "T", "body": "B"}}, "requestID": request_id}
    return await provider.post(
        f"{apns.url}/3/device/{token}",
        content=json.dumps(payload).encode(),
        headers={"apns-push-type": "alert", "apns-expiration": str(expiration)},
    )


# -- FCM store-and-forward ------------------------------------------------------------------
async def test_fcm_stores_until_ttl_and_delivers_on_reconnect(
    fcm: FcmMock,
    fcm_phone: FcmDeviceClient,
    provider: httpx.AsyncClient,
    clock: FrozenClock,
    events: EventBus,
) -> None:
    token = await fcm_phone.register("pushsim-demo", APP_ID)
    assert (await _fcm_send(provider, fcm, token, "60s", "within")).status_code == 200
    assert (await _fcm_send(provider, fcm, token, "10s", "too-late")).status_code == 200
    assert (await _fcm_send(provider, fcm, token, "0s", "now-or-never")).status_code == 200
    assert (await fcm_phone.state(token))["stored"] == 2
    assert await events.wait_for(kind_is("fcm.discarded", token=token), include_history=True)

    clock.advance(30)
    listener = await DeviceListener(fcm_phone, token, events).start()
    delivered = await listener.next()
    assert delivered.payload["requestID"] == "within"
    assert delivered.received_at == clock.now()
    expired = await events.wait_for(kind_is("fcm.expired", token=token), include_history=True)
    assert expired.request_id == "too-late"
    # Nothing else was waiting: the next thing on the stream is a fresh send.
    await _fcm_send(provider, fcm, token, "0s", "live")
    assert (await listener.next()).payload["requestID"] == "live"
    await listener.stop("fcm")


async def test_fcm_does_not_deliver_after_the_ttl(
    fcm: FcmMock,
    fcm_phone: FcmDeviceClient,
    provider: httpx.AsyncClient,
    clock: FrozenClock,
    events: EventBus,
) -> None:
    token = await fcm_phone.register("pushsim-demo", APP_ID)
    await _fcm_send(provider, fcm, token, "60s", "stale")
    clock.advance(60)
    listener = await DeviceListener(fcm_phone, token, events).start()
    await _fcm_send(provider, fcm, token, "60s", "fresh")
    assert (await listener.next()).payload["requestID"] == "fresh"
    assert await events.wait_for(kind_is("fcm.expired", token=token), include_history=True)
    await listener.stop("fcm")


# -- APNs store-and-forward -----------------------------------------------------------------
async def test_apns_keeps_only_the_newest_until_expiration(
    apns: ApnsMock,
    apns_phone: ApnsDeviceClient,
    provider: httpx.AsyncClient,
    clock: FrozenClock,
    events: EventBus,
) -> None:
    token = await apns_phone.register(BUNDLE_ID, "sandbox")
    expiration = int(clock.now()) + 60
    for request_id in ("first", "second", "third"):
        assert (await _apns_send(provider, apns, token, request_id, expiration)).status_code == 200
    assert (await _apns_send(provider, apns, token, "never-stored", 0)).status_code == 200
    assert (await apns_phone.state(token))["stored"] == 1
    superseded = [e.request_id for e in events.history if e.kind == "apns.superseded"]
    assert superseded == ["first", "second"]

    clock.advance(59)
    listener = await DeviceListener(apns_phone, token, events).start()
    assert (await listener.next()).payload["requestID"] == "third"
    await listener.stop("apns")

    await _apns_send(provider, apns, token, "expires", int(clock.now()) + 10)
    clock.advance(10)
    listener = await DeviceListener(apns_phone, token, events).start()
    await _apns_send(provider, apns, token, "marker", 0)
    assert (await listener.next()).payload["requestID"] == "marker"
    await listener.stop("apns")


# -- uninstall ------------------------------------------------------------------------------
async def test_uninstall_ends_the_stream_and_unregisters_the_token(
    apns: ApnsMock,
    apns_phone: ApnsDeviceClient,
    provider: httpx.AsyncClient,
    clock: FrozenClock,
    events: EventBus,
) -> None:
    token = await apns_phone.register(BUNDLE_ID, "sandbox")
    listener = await DeviceListener(apns_phone, token, events).start()
    clock.advance(5)
    apns.faults.uninstall(token)
    async with asyncio.timeout(5):
        await listener.ended.wait()
    assert isinstance(listener.error, DeviceUnregisteredError)
    assert listener.error.unregistered_at == clock.now()
    clock.advance(5)
    answer = await _apns_send(provider, apns, token, "after", 0)
    assert answer.status_code == 410
    assert answer.json() == {"reason": "Unregistered", "timestamp": int((clock.now() - 5) * 1000)}
    with pytest.raises(DeviceUnregisteredError):
        await DeviceListener(apns_phone, token, events).start()


async def test_a_second_stream_replaces_the_first(
    fcm: FcmMock, fcm_phone: FcmDeviceClient, provider: httpx.AsyncClient, events: EventBus
) -> None:
    token = await fcm_phone.register("pushsim-demo", APP_ID)
    first = await DeviceListener(fcm_phone, token, events).start()
    second = await DeviceListener(fcm_phone, token, events).start()
    async with asyncio.timeout(5):
        await first.ended.wait()
    assert first.error is None
    await _fcm_send(provider, fcm, token, "5s", "to-second")
    assert (await second.next()).payload["requestID"] == "to-second"
    await second.stop("fcm")


async def test_device_api_errors(fcm: FcmMock, fcm_phone: FcmDeviceClient) -> None:
    with pytest.raises(DeliveryError, match="404"):
        await fcm_phone.state("unknown-token")
    with pytest.raises(DeliveryError, match="400"):
        await fcm_phone.register("bad project!", APP_ID)
    with pytest.raises(DeliveryError, match="stream refused: HTTP 404"):
        async for _ in fcm_phone.notifications("unknown-token"):
            pass


# -- control API ------------------------------------------------------------------------------
async def _control(
    provider: httpx.AsyncClient,
    mock: FcmMock | ApnsMock,
    method: str,
    path: str,
    body: Any = None,
) -> httpx.Response:
    return await provider.request(
        method,
        mock.control_url + path,
        json=body,
        headers={"Authorization": f"Bearer {mock.control_token}"},
    )


async def test_control_api_offline_drop_and_errors(
    fcm: FcmMock, fcm_phone: FcmDeviceClient, provider: httpx.AsyncClient, events: EventBus
) -> None:
    token = await fcm_phone.register("pushsim-demo", APP_ID)
    listener = await DeviceListener(fcm_phone, token, events).start()

    offline = await _control(provider, fcm, "POST", "/faults", {"kind": "offline", "token": token})
    assert offline.status_code == 201
    await _fcm_send(provider, fcm, token, "60s", "held")
    assert (await fcm_phone.state(token))["stored"] == 1  # connected, but "away"
    removed = await _control(provider, fcm, "DELETE", f"/faults/{offline.json()['id']}")
    assert removed.json()["faults"] == []
    assert (await listener.next()).payload["requestID"] == "held"

    await _control(provider, fcm, "POST", "/faults", {"kind": "drop", "count": 1})
    assert (await _fcm_send(provider, fcm, token, "60s", "lost")).status_code == 200
    assert await events.wait_for(kind_is("fcm.dropped", token=token), include_history=True)
    await _control(provider, fcm, "POST", "/faults", {"kind": "error", "error": "INTERNAL"})
    assert (await _fcm_send(provider, fcm, token, "60s", "x")).status_code == 500
    await _control(provider, fcm, "DELETE", "/faults")
    await _fcm_send(provider, fcm, token, "60s", "after")
    assert (await listener.next()).payload["requestID"] == "after"  # "lost" never came
    await listener.stop("fcm")


async def test_control_api_validates_and_requires_its_token(
    fcm: FcmMock, provider: httpx.AsyncClient
) -> None:
    bad = await _control(provider, fcm, "POST", "/faults", {"kind": "error", "error": "NOPE"})
    assert bad.status_code == 400
    assert "UNREGISTERED" in bad.json()["message"]
    seeded = await _control(provider, fcm, "POST", "/seed", {"seed": 99})
    assert seeded.json()["seed"] == 99
    assert fcm.faults.seed == 99
    described = await _control(provider, fcm, "GET", "")
    assert described.json()["control_endpoint"] == fcm.control_url
    anonymous = await provider.get(fcm.control_url + "/faults")
    assert anonymous.status_code == 401
    await _control(provider, fcm, "POST", "/faults", {"kind": "drop", "token": "ab:cd"})
    kept = await _control(provider, fcm, "POST", "/faults", {"kind": "outage"})
    cleared = await _control(provider, fcm, "DELETE", "/faults?token=ab%3Acd")
    assert [f["id"] for f in cleared.json()["faults"]] == [kept.json()["id"]]


async def test_control_api_device_actions(
    apns: ApnsMock, apns_phone: ApnsDeviceClient, provider: httpx.AsyncClient
) -> None:
    token = await apns_phone.register(BUNDLE_ID, "production")
    listed = await _control(provider, apns, "GET", "/devices")
    assert [d["token"] for d in listed.json()["devices"]] == [token]
    offline = await _control(provider, apns, "POST", f"/devices/{token}/offline")
    assert offline.json()["online"] is False
    assert apns.faults.is_offline(token)
    await _control(provider, apns, "POST", f"/devices/{token}/online")
    assert not apns.faults.is_offline(token)
    gone = await _control(provider, apns, "POST", f"/devices/{token}/uninstall")
    assert gone.json()["unregistered_at"] is not None


# -- describe and persistence -------------------------------------------------------------------
async def test_describe_names_everything_a_client_needs(
    fcm: FcmMock, apns: ApnsMock, material: Material
) -> None:
    f, a = fcm.describe(), apns.describe()
    assert f["url"] == fcm.url
    assert f["token_uri"] == fcm.url + "/token"
    assert f["service_account_file"] == str(material.creds.fcm_service_account_file)
    assert (
        json.loads(material.creds.fcm_service_account_file.read_text())["token_uri"]
        == (f["token_uri"])
    )
    assert a["url"] == apns.url
    assert a["key_id"] == "PUSHSIMK01"
    assert a["team_id"] == "PUSHSIMTM1"
    assert a["topic"] == BUNDLE_ID
    assert a["device_url"] != a["url"]
    for described in (f, a):
        assert described["ca_file"] == str(material.pki.ca_file)
        assert described["device_endpoint"].endswith("/pushsim/v1/devices")
        assert described["control_endpoint"].endswith("/pushsim/control")
        json.dumps(described)


async def test_registrations_survive_a_restart(
    material: Material, events: EventBus, clock: FrozenClock, tmp_path: Any
) -> None:
    path = tmp_path / "apns-devices.json"
    async with running_apns(material, events, clock, registrations_file=path) as apns:
        kept = apns.hub.register_apns(bundle_id=BUNDLE_ID).token
        gone = apns.hub.register_apns(bundle_id=BUNDLE_ID).token
        apns.hub.uninstall(gone)
    async with running_apns(material, events, clock, registrations_file=path) as apns:
        assert apns.hub.registry.get(kept) is not None
        registration = apns.hub.registry.get(gone)
        assert registration is not None
        assert not registration.active


# -- who may use the mocks ------------------------------------------------------------------
def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# -- control API -------------------------------------------------------------------------------
async def test_fcm_control_api_refuses_without_or_with_a_wrong_token(
    fcm: FcmMock, provider: httpx.AsyncClient
) -> None:
    for headers in ({}, _bearer("wrong"), {"Authorization": fcm.control_token}):
        for method, path in (("GET", "/devices"), ("POST", "/faults"), ("GET", "")):
            answer = await provider.request(
                method, fcm.control_url + path, json={"kind": "drop"}, headers=headers
            )
            assert answer.status_code == 401, (method, path, headers)
            error = answer.json()["error"]
            assert (error["code"], error["status"]) == (401, "UNAUTHENTICATED")
            assert answer.headers["www-authenticate"].startswith("Bearer")
    assert fcm.faults.describe() == []  # no refused request added a fault


async def test_apns_control_api_refuses_in_the_apns_shape(
    apns: ApnsMock, provider: httpx.AsyncClient
) -> None:
    missing = await provider.get(apns.control_url + "/devices")
    assert (missing.status_code, missing.json()) == (401, {"reason": "MissingProviderToken"})
    wrong = await provider.post(
        apns.control_url + "/faults", json={"kind": "drop"}, headers=_bearer("x")
    )
    assert (wrong.status_code, wrong.json()) == (401, {"reason": "InvalidProviderToken"})
    assert apns.faults.describe() == []


async def test_control_api_takes_its_own_token_or_the_admin_token(
    fcm: FcmMock, apns: ApnsMock, provider: httpx.AsyncClient
) -> None:
    for mock in (fcm, apns):
        for token in (mock.control_token, ADMIN):
            listed = await provider.get(mock.control_url + "/devices", headers=_bearer(token))
            assert listed.status_code == 200
        added = await provider.post(
            mock.control_url + "/faults", json={"kind": "drop"}, headers=_bearer(ADMIN)
        )
        assert added.status_code == 201
    assert fcm.control_token != apns.control_token  # each mock draws its own


async def test_the_listing_and_the_device_state_reveal_no_secret(
    fcm: FcmMock, provider: httpx.AsyncClient, fcm_phone: FcmDeviceClient
) -> None:
    registered = await provider.post(
        fcm.device_url + "/pushsim/v1/devices", json={"projectId": "pushsim-demo", "appId": APP_ID}
    )
    assert registered.status_code == 201
    assert registered.headers["cache-control"] == "no-store"
    token, secret = registered.json()["token"], registered.json()["registrationSecret"]
    assert len(secret) >= 40
    listed = await provider.get(fcm.control_url + "/devices", headers=_bearer(fcm.control_token))
    state = await fcm_phone.state(token)
    assert [d["token"] for d in listed.json()["devices"]] == [token]
    logged = repr([(e.summary, e.raw, e.details) for e in fcm.events.history])
    for text in (listed.text, json.dumps(state), logged):
        assert secret not in text
        assert "secret" not in text.lower()


# -- device stream ---------------------------------------------------------------------------------
async def _stream_status(
    provider: httpx.AsyncClient, mock: FcmMock, token: str, **headers: str
) -> int:
    """The refusal's status; its body is checked to be the one docs/protocol.md §19.2 shows."""
    url = f"{mock.device_url}/pushsim/v1/devices/{token}/stream"
    async with provider.stream("GET", url, headers=headers) as response:
        body = json.loads(await response.aread())
        assert body == {"message": STREAM_REFUSALS[response.status_code]}
        return response.status_code


STREAM_REFUSALS = {
    401: "registration secret required (X-PushSim-Registration-Secret)",
    403: "wrong registration secret",
    404: "unknown device token",
}


async def test_stream_needs_the_registration_secret(
    fcm: FcmMock, provider: httpx.AsyncClient, fcm_phone: FcmDeviceClient, events: EventBus
) -> None:
    token = await fcm_phone.register("pushsim-demo", APP_ID)
    assert await _stream_status(provider, fcm, token) == 401
    assert await _stream_status(provider, fcm, token, **{SECRET_HEADER: ""}) == 401
    assert await _stream_status(provider, fcm, token, **{SECRET_HEADER: "not-it"}) == 403
    assert await _stream_status(provider, fcm, "no-such-token", **{SECRET_HEADER: "x"}) == 404
    with pytest.raises(DeviceSecretRefusedError) as refused:
        async for _ in fcm_phone.notifications(token, secret="not-it"):
            pass
    assert refused.value.status == 403
    assert not fcm.hub.is_connected(token)  # no refused attempt went online

    listener = await DeviceListener(fcm_phone, token, events).start()  # the issued secret
    assert fcm.hub.is_online(token)
    await listener.stop("fcm")


async def test_an_unproven_second_stream_does_not_replace_the_first(
    fcm: FcmMock, provider: httpx.AsyncClient, fcm_phone: FcmDeviceClient, events: EventBus
) -> None:
    token = await fcm_phone.register("pushsim-demo", APP_ID)
    first = await DeviceListener(fcm_phone, token, events).start()
    assert await _stream_status(provider, fcm, token) == 401
    assert await _stream_status(provider, fcm, token, **{SECRET_HEADER: "guess"}) == 403
    assert not first.ended.is_set()
    await _fcm_send(provider, fcm, token, "5s", "still-mine")
    assert (await first.next()).payload["requestID"] == "still-mine"

    second = await DeviceListener(fcm_phone, token, events).start()  # proven: replaces
    async with asyncio.timeout(5):
        await first.ended.wait()
    assert first.error is None
    await second.stop("fcm")


async def test_secrets_survive_a_restart_as_digests_only(
    material: Material, events: EventBus, clock: FrozenClock, tmp_path: Path
) -> None:
    path = tmp_path / "fcm-devices.json"
    async with running_fcm(material, events, clock, registrations_file=path) as fcm:
        issued = fcm.hub.register_fcm(project_id="pushsim-demo", app_id=APP_ID)
    assert issued.secret not in path.read_text()
    restarted = running_fcm(material, events, clock, registrations_file=path)
    async with restarted as fcm, FcmDeviceClient(fcm.device_url, material.pki.ca_file) as phone:
        with pytest.raises(DeviceSecretRefusedError):
            await DeviceListener(phone, issued.token, events).start()
        phone.secrets[issued.token] = issued.secret
        listener = await DeviceListener(phone, issued.token, events).start()
        assert fcm.hub.is_online(issued.token)
        await listener.stop("fcm")


async def test_apns_stream_needs_the_secret_too(
    apns: ApnsMock, material: Material, events: EventBus
) -> None:
    async with ApnsDeviceClient(apns.device_url, material.pki.ca_file) as phone:
        token = await phone.register(BUNDLE_ID, "sandbox")
        secret = phone.secrets.pop(token)
        with pytest.raises(DeviceSecretRefusedError) as refused:
            await DeviceListener(phone, token, events).start()
        assert refused.value.status == 401
        phone.secrets[token] = secret
        listener = await DeviceListener(phone, token, events).start()
        await listener.stop("apns")
