"""Device side over real loopback HTTPS: streams, store-and-forward, uninstall, control API.

Time is the mocks' FrozenClock, advanced by hand; nothing here sleeps.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from core.clock import FrozenClock
from core.events import EventBus
from core.pki import client_ssl_context
from simulators.apns.server import ApnsMock
from simulators.delivery.client import (
    ApnsDeviceClient,
    DeliveryError,
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
    async with running_fcm(material, events, clock, control_token="s3cret") as mock:
        yield mock


@pytest.fixture
async def apns(material: Material, events: EventBus, clock: FrozenClock) -> AsyncIterator[ApnsMock]:
    async with running_apns(material, events, clock) as mock:
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
    provider: httpx.AsyncClient, mock: FcmMock, method: str, path: str, body: Any = None
) -> httpx.Response:
    return await provider.request(
        method,
        mock.control_url + path,
        json=body,
        headers={"Authorization": "Bearer s3cret"},
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
    listed = await provider.get(apns.control_url + "/devices")
    assert [d["token"] for d in listed.json()["devices"]] == [token]
    offline = await provider.post(f"{apns.control_url}/devices/{token}/offline")
    assert offline.json()["online"] is False
    assert apns.faults.is_offline(token)
    await provider.post(f"{apns.control_url}/devices/{token}/online")
    assert not apns.faults.is_offline(token)
    gone = await provider.post(f"{apns.control_url}/devices/{token}/uninstall")
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
