"""The httpx client for the core's device API, and push payload parsing."""

from __future__ import annotations

import json

import httpx
import pytest

from core.events import EventBus
from core.protocol.keys import UnlockProtection
from simulators.phone.core_client import HttpCoreDeviceApi
from simulators.phone.errors import CoreApiError, CoreUnreachable
from simulators.phone.push_delivery import NotAPushSimPush, parse_push
from simulators.phone.unlock import Pin
from tests.simulators.phone.conftest import PIN, MakePhone, receive, wait_for
from tests.simulators.phone.fake_http import http_transport
from tests.simulators.phone.fakes import FakeCore

BASE = "https://127.0.0.1:8443"


async def test_a_whole_flow_over_http(make_phone: MakePhone, core: FakeCore, bus: EventBus) -> None:
    recorded: list[httpx.Request] = []
    client = httpx.AsyncClient(transport=http_transport(core, recorded))
    api = HttpCoreDeviceApi(BASE, client=client)
    phone = make_phone(core_api=api)
    await phone.start()
    _, message1, password = core.register_user()
    serial = await phone.activate(message1, password, pin=PIN)
    await wait_for(bus, "phone.delivery.online", phone)
    request_id = core.login(serial, protection=UnlockProtection.PIN, by_challenge_key=True)
    receipt = await phone.approve(await receive(bus, phone, request_id), unlock=Pin(PIN))
    assert receipt.session_status == "accepted"
    assert receipt.request_id == request_id
    await client.aclose()

    routes = [(r.method, r.url.path) for r in recorded]
    (registration_id,) = core.registrations
    assert routes == [
        ("POST", f"/v1/registrations/{registration_id}/add-device"),
        ("POST", f"/v1/registrations/{registration_id}/activate"),
        ("POST", f"/v1/authenticators/{serial}/notification-registration"),
        ("POST", "/v1/push/secure-challenge"),
        ("POST", "/v1/push/response"),
    ]
    registration = json.loads(recorded[2].content)
    assert set(registration) == {"platform", "pushToken", "appID", "time", "signature"}
    assert all(str(r.url).startswith(BASE) for r in recorded)


def _api(handler: httpx.MockTransport) -> HttpCoreDeviceApi:
    return HttpCoreDeviceApi(BASE, client=httpx.AsyncClient(transport=handler))


async def test_errors_are_translated_once() -> None:
    api = _api(
        httpx.MockTransport(
            lambda request: httpx.Response(
                400, json={"message": "wrong activation password or mistyped device code"}
            )
        )
    )
    with pytest.raises(CoreApiError, match="wrong activation password") as info:
        await api.add_device("reg1", "ABCD")
    assert info.value.status == 400

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(CoreUnreachable):
        await _api(httpx.MockTransport(refuse)).activate("reg1", "0" * 16)


async def test_a_response_the_core_could_not_use_is_a_receipt_not_an_error() -> None:
    api = _api(
        httpx.MockTransport(
            lambda request: httpx.Response(
                409, json={"message": "session outdated: accepted", "check": "session_pending"}
            )
        )
    )
    receipt = await api.post_response("PS12345678", "00")
    assert not receipt.decided
    assert (receipt.http_status, receipt.check) == (409, "session_pending")
    assert receipt.message == "session outdated: accepted"
    server_error = _api(httpx.MockTransport(lambda request: httpx.Response(503)))
    with pytest.raises(CoreApiError):
        await server_error.post_response("PS12345678", "00")


async def test_registration_ids_are_escaped_in_paths() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.raw_path.decode())
        return httpx.Response(200, json={"activationMessage2": "01"})

    await _api(httpx.MockTransport(handler)).add_device("a/../b", "X")
    assert seen == ["/v1/registrations/a%2F..%2Fb/add-device"]


def test_parse_fcm_and_apns_payloads() -> None:
    fcm = parse_push(
        {
            "pushsim": "1",
            "serialNumber": "PS12345678",
            "requestID": "r1",
            "requestMessage": "01ab",
            "notification": {"title": "T", "body": "B"},
        }
    )
    assert (fcm.serial, fcm.request_id, fcm.request_message, fcm.title, fcm.subject) == (
        "PS12345678",
        "r1",
        "01ab",
        "T",
        "B",
    )
    apns = parse_push(
        {
            "aps": {"alert": {"title": "A", "body": "S"}, "mutable-content": 1},
            "pushsim": 1,
            "serialNumber": "PS12345678",
            "requestID": "r2",
            "challengeKey": "k",
        }
    )
    assert (apns.challenge_key, apns.request_message, apns.title) == ("k", None, "A")
    nested = parse_push(
        {"data": {"pushsim": "1", "serialNumber": "S", "requestID": "r", "challengeKey": "k"}}
    )
    assert nested.title == "Transaction Request"
    assert nested.subject == "Tap here to confirm transaction"


@pytest.mark.parametrize(
    "payload",
    [
        {"serialNumber": "S", "requestID": "r", "challengeKey": "k"},
        {"pushsim": "1", "requestID": "r", "challengeKey": "k"},
        {"pushsim": "1", "serialNumber": "S", "requestID": "r"},
        {
            "pushsim": "1",
            "serialNumber": "S",
            "requestID": "r",
            "challengeKey": "k",
            "requestMessage": "01",
        },
    ],
)
def test_foreign_or_malformed_payloads_are_refused(payload: dict[str, object]) -> None:
    with pytest.raises(NotAPushSimPush):
        parse_push(payload)
