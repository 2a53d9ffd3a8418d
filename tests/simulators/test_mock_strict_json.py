"""Hostile JSON and headers to both mocks: the provider's own 400 shape, never a 500.

The mocks read bodies with ``core.protocol.strict_json`` (issue 13, parts 5/7):
deep nesting, NaN, duplicate keys and huge numbers are refused as FCM's
``INVALID_ARGUMENT`` google.rpc error, the device API's ``{"message"}`` 400,
or an APNs ``{"reason"}`` 400.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from core.clock import FrozenClock
from core.events import EventBus
from simulators.apns.server import ApnsMock
from simulators.delivery.faults import FaultPlan
from simulators.fcm.server import FcmMock
from tests.simulators.mock_support import (
    Material,
    RawH2Client,
    apns_headers,
    make_material,
    running_apns,
)

PROJECT = "pushsim-demo"
SEND = f"/v1/projects/{PROJECT}/messages:send"
DEEP = b"[" * 100_000
HOSTILE: list[bytes] = [
    DEEP,
    b"[" * 100_000 + b"]" * 100_000,
    b'{"message": ' * 40 + b"{}" + b"}" * 40,
    b'{"message": {"token": "t", "data": {"requestID": NaN}}}',
    b'{"message": {}, "message": {}}',
    b'{"message": {"n": ' + b"9" * 5000 + b"}}",
    b'{"message": {"s": "\\ud800"}}',
    b"\xff\xfe",
]


@pytest.fixture(scope="module")
def material(tmp_path_factory: pytest.TempPathFactory) -> Material:
    return make_material(tmp_path_factory.mktemp("strict-json"))


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def fcm(material: Material, clock: FrozenClock) -> FcmMock:
    return FcmMock(
        pki=material.pki,
        credentials=material.creds,
        events=EventBus(),
        clock=clock,
        faults=FaultPlan(seed=1),
    )


@pytest.fixture
async def http(fcm: FcmMock) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=fcm.api.app)
    async with httpx.AsyncClient(transport=transport, base_url="https://fcm.test") as client:
        yield client


def _google_error(response: httpx.Response) -> tuple[int, str]:
    error = response.json()["error"]
    assert set(error) >= {"code", "message", "status"}
    return error["code"], error["status"]


@pytest.mark.parametrize("body", HOSTILE)
async def test_fcm_send_refuses_hostile_json_as_invalid_argument(
    http: httpx.AsyncClient, fcm: FcmMock, body: bytes
) -> None:
    bearer = {"Authorization": f"Bearer {fcm.api.oauth.mint_access_token()}"}
    answer = await http.post(SEND, content=body, headers=bearer)
    assert answer.status_code == 400
    assert _google_error(answer) == (400, "INVALID_ARGUMENT")


async def test_fcm_send_without_auth_and_deep_body_is_401_not_500(
    http: httpx.AsyncClient,
) -> None:
    answer = await http.post(SEND, content=DEEP)  # the requestID is read before the auth check
    assert answer.status_code == 401
    assert _google_error(answer) == (401, "UNAUTHENTICATED")


@pytest.mark.parametrize("body", [*HOSTILE, b'{"projectId": "p", "projectId": "q"}'])
async def test_fcm_device_registration_refuses_hostile_json_with_400(
    http: httpx.AsyncClient, body: bytes
) -> None:
    answer = await http.post("/pushsim/v1/devices", content=body)
    assert answer.status_code == 400
    assert set(answer.json()) == {"message"}


async def test_fcm_device_registration_still_accepts_plain_json(http: httpx.AsyncClient) -> None:
    answer = await http.post(
        "/pushsim/v1/devices", json={"projectId": PROJECT, "appId": "com.pushsim.authenticator"}
    )
    assert answer.status_code == 201


# -- APNs -----------------------------------------------------------------------------
@pytest.fixture
async def apns(material: Material, clock: FrozenClock) -> AsyncIterator[ApnsMock]:
    async with running_apns(material, EventBus(), clock) as mock:
        yield mock


@pytest.fixture
async def h2(apns: ApnsMock, material: Material) -> AsyncIterator[RawH2Client]:
    client = await RawH2Client.connect(apns.port, material.pki.ca_file)
    yield client
    await client.close()


@pytest.fixture
def device(apns: ApnsMock) -> str:
    return apns.hub.register_apns(bundle_id="com.pushsim.sdkdemo", environment="sandbox").token


@pytest.mark.parametrize(
    "body",
    [
        b'{"aps":NaN}',
        b'{"aps":Infinity}',
        b'{"aps": {"alert": "a"}, "aps": {"alert": "b"}}',
        b'{"aps": {"badge": ' + b"9" * 500 + b"}}",
        b'{"aps": {"alert": "x"}, "d": ' + b"[" * 1000 + b"]" * 1000 + b"}",
        b"[" * 2000,
        b'{"aps": {"alert": "\\udc00"}}',
    ],
)
async def test_apns_refuses_hostile_payloads_as_bad_payload(
    h2: RawH2Client, material: Material, clock: FrozenClock, device: str, body: bytes
) -> None:
    answer = await h2.request(f"/3/device/{device}", body, apns_headers(material, clock))
    assert (answer.status, answer.json) == (400, {"reason": "BadPayload"})


@pytest.mark.parametrize("expiration", ["9" * 400, "1" * 13, "\u0661\u0662", "-1", "1e9", ""])
async def test_apns_odd_expirations_are_bad_expiration_date(
    h2: RawH2Client, material: Material, clock: FrozenClock, device: str, expiration: str
) -> None:
    payload = json.dumps({"aps": {"alert": "hi"}}).encode()
    headers = apns_headers(material, clock, apns_expiration=expiration)
    answer = await h2.request(f"/3/device/{device}", payload, headers)
    assert (answer.status, answer.json) == (400, {"reason": "BadExpirationDate"})


async def test_apns_a_real_expiration_is_still_accepted(
    h2: RawH2Client, material: Material, clock: FrozenClock, device: str
) -> None:
    payload = json.dumps({"aps": {"alert": "hi"}}).encode()
    headers = apns_headers(material, clock, apns_expiration=str(int(clock.now()) + 3600))
    answer = await h2.request(f"/3/device/{device}", payload, headers)
    assert answer.status == 200
