"""The mock APNs on the wire: HTTP/2 framing, apns-id, ALPN, auth and the reason table."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from core.clock import FrozenClock
from core.events import EventBus
from core.pki import client_ssl_context
from simulators.apns.reasons import APNS_REASONS
from simulators.apns.server import ApnsMock
from tests.simulators.mock_support import (
    Material,
    RawH2Client,
    apns_headers,
    apns_provider_token,
    make_material,
    running_apns,
)

UUID = re.compile(r"^[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}$")
PAYLOAD = json.dumps({"aps": {"alert": {"title": "T", "body": "B"}}}).encode()


@pytest.fixture(scope="module")
def material(tmp_path_factory: pytest.TempPathFactory) -> Material:
    return make_material(tmp_path_factory.mktemp("apns-wire"))


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def events() -> EventBus:
    return EventBus()


@pytest.fixture
async def apns(material: Material, events: EventBus, clock: FrozenClock) -> AsyncIterator[ApnsMock]:
    async with running_apns(material, events, clock) as mock:
        yield mock


@pytest.fixture
async def h2(apns: ApnsMock, material: Material) -> AsyncIterator[RawH2Client]:
    client = await RawH2Client.connect(apns.port, material.pki.ca_file)  # no ALPN at all
    yield client
    await client.close()


@pytest.fixture
def device(apns: ApnsMock) -> str:
    return apns.hub.register_apns(bundle_id="com.pushsim.sdkdemo", environment="sandbox").token


async def test_success_is_headers_with_end_stream_and_no_data(
    h2: RawH2Client, material: Material, clock: FrozenClock, device: str
) -> None:
    apns_id = "8F2A76B0-1C5E-4E3A-9B7D-2E4F6A8B0C1D"
    answer = await h2.request(
        f"/3/device/{device}", PAYLOAD, apns_headers(material, clock, apns_id=apns_id)
    )
    assert h2.alpn is None  # prior knowledge, no ALPN
    assert answer.status == 200
    assert answer.headers_ended_stream
    assert answer.data_frames == []
    assert answer.headers["apns-id"] == apns_id


async def test_error_is_headers_then_one_json_data_frame(
    h2: RawH2Client, material: Material, clock: FrozenClock
) -> None:
    answer = await h2.request("/3/device/" + "ab" * 32, PAYLOAD, apns_headers(material, clock))
    assert answer.status == 400
    assert not answer.headers_ended_stream
    assert len(answer.data_frames) == 1
    assert json.loads(answer.data_frames[0]) == {"reason": "BadDeviceToken"}
    assert UUID.match(answer.headers["apns-id"])  # generated when the request had none


async def test_alpn_h2_clients_such_as_httpx_work_too(
    apns: ApnsMock, material: Material, clock: FrozenClock, device: str
) -> None:
    verify = client_ssl_context(material.pki.ca_file)
    async with httpx.AsyncClient(http2=True, verify=verify) as client:
        answer = await client.post(
            f"{apns.url}/3/device/{device}",
            content=PAYLOAD,
            headers=dict(apns_headers(material, clock)),
        )
    assert answer.http_version == "HTTP/2"
    assert answer.status_code == 200
    assert answer.content == b""
    assert UUID.match(answer.headers["apns-id"])


async def test_certificate_auth_takes_the_topic_from_the_certificate(
    apns: ApnsMock, material: Material, device: str
) -> None:
    creds = material.creds
    cert = (creds.apns_client_cert_file, creds.apns_client_key_file)
    client = await RawH2Client.connect(apns.port, material.pki.ca_file, alpn=["h2"], cert=cert)
    try:
        ok = await client.request(f"/3/device/{device}", PAYLOAD, [])  # no token, no topic
        assert ok.status == 200
        other = await client.request(
            f"/3/device/{device}", PAYLOAD, [("apns-topic", "com.someone.else")]
        )
        assert (other.status, other.json["reason"]) == (400, "TopicDisallowed")
    finally:
        await client.close()


def _bad_request_cases(
    material: Material, clock: FrozenClock, device: str
) -> list[tuple[str, dict[str, object], str]]:
    foreign_key = ec.generate_private_key(ec.SECP256R1())
    return [
        ("MethodNotAllowed", {"method": "GET"}, ""),
        ("BadPath", {"path": "/3/devices/x"}, ""),
        ("MissingDeviceToken", {"path": "/3/device/"}, ""),
        ("BadMessageId", {"headers": {"apns-id": "not-a-uuid"}}, ""),
        ("MissingProviderToken", {"headers": {"authorization": "<omit>"}}, ""),
        ("InvalidProviderToken", {"headers": {"authorization": "bearer nonsense"}}, ""),
        (
            "InvalidProviderToken",
            {
                "headers": {
                    "authorization": "bearer "
                    + apns_provider_token(material.creds, iat=clock.now(), key=foreign_key)
                }
            },
            "",
        ),
        (
            "ExpiredProviderToken",
            {
                "headers": {
                    "authorization": "bearer "
                    + apns_provider_token(material.creds, iat=clock.now() - 3601)
                }
            },
            "",
        ),
        ("MissingTopic", {"headers": {"apns-topic": "<omit>"}}, ""),
        ("DeviceTokenNotForTopic", {"headers": {"apns-topic": "com.other.app"}}, ""),
        ("InvalidPushType", {"headers": {"apns-push-type": "shout"}}, ""),
        ("BadPriority", {"headers": {"apns-priority": "7"}}, ""),
        ("BadExpirationDate", {"headers": {"apns-expiration": "tomorrow"}}, ""),
        ("BadCollapseId", {"headers": {"apns-collapse-id": "c" * 65}}, ""),
        ("PayloadEmpty", {"body": b""}, ""),
        ("BadPayload", {"body": b"[1, 2]"}, ""),
        ("PayloadTooLarge", {"body": b'{"x":"' + b"y" * 4100 + b'"}'}, ""),
        ("BadDeviceToken", {"path": "/3/device/xyz"}, ""),
        ("BadDeviceToken", {"authority": "api.push.apple.com"}, "production host, sandbox token"),
    ]


async def test_the_reason_table(
    h2: RawH2Client, material: Material, clock: FrozenClock, device: str
) -> None:
    for reason, case, _ in _bad_request_cases(material, clock, device):
        headers = apns_headers(material, clock, **case.get("headers", {}))  # type: ignore[arg-type]
        body = case.get("body", PAYLOAD)
        assert isinstance(body, bytes)
        answer = await h2.request(
            str(case.get("path", f"/3/device/{device}")),
            body,
            headers,
            method=str(case.get("method", "POST")),
            authority=str(case.get("authority", "127.0.0.1")),
        )
        assert (answer.status, answer.json["reason"]) == (APNS_REASONS[reason], reason), case
        assert len(answer.data_frames) == 1
    twice = [*apns_headers(material, clock), ("apns-priority", "5")]
    answer = await h2.request(f"/3/device/{device}", PAYLOAD, twice)
    assert answer.json == {"reason": "DuplicateHeaders"}


async def test_voip_payloads_may_be_larger(
    h2: RawH2Client, material: Material, clock: FrozenClock, device: str
) -> None:
    body = b'{"x":"' + b"y" * 5000 + b'"}'
    headers = apns_headers(
        material, clock, apns_push_type="voip", apns_topic="com.pushsim.sdkdemo.voip"
    )
    assert (await h2.request(f"/3/device/{device}", body, headers)).status == 200


async def test_faults_answer_with_their_reasons(
    h2: RawH2Client, apns: ApnsMock, material: Material, clock: FrozenClock, device: str
) -> None:
    apns.faults.rate_limit(token=device, count=1)
    apns.faults.outage(count=1)
    apns.faults.fail("Shutdown", count=1)
    apns.faults.expire_credentials(count=1)
    apns.faults.invalidate_credentials(count=1)
    apns.faults.fail("Unregistered", count=1)
    seen = []
    for _ in range(7):
        answer = await h2.request(f"/3/device/{device}", PAYLOAD, apns_headers(material, clock))
        seen.append((answer.status, answer.json["reason"] if answer.data_frames else None))
        if answer.status == 410:
            assert answer.json["timestamp"] == int(clock.now() * 1000)
    assert seen == [
        (429, "TooManyRequests"),
        (503, "ServiceUnavailable"),
        (503, "Shutdown"),
        (403, "ExpiredProviderToken"),
        (403, "InvalidProviderToken"),
        (410, "Unregistered"),
        (200, None),
    ]


async def test_events_show_headers_and_body_but_never_the_provider_token(
    h2: RawH2Client, material: Material, clock: FrozenClock, device: str, events: EventBus
) -> None:
    headers = apns_headers(material, clock)
    await h2.request(f"/3/device/{device}", PAYLOAD, headers)
    send = next(e for e in events.history if e.kind == "apns.send")
    assert send.raw == PAYLOAD.decode()
    assert send.step == 3
    assert send.source == "apns"
    assert send.details["headers"]["apns-topic"] == "com.pushsim.sdkdemo"
    token = dict(headers)["authorization"].split()[1]
    assert not any(token in repr(event) for event in events.history)
    assert [e.kind for e in events.history if e.kind.startswith("apns.")][-3:] == [
        "apns.send",
        "apns.stored",
        "apns.accepted",
    ]
