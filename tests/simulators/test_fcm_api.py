"""The mock FCM's HTTP v1 + OAuth behaviour, in process (ASGI, no sockets)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from core.clock import FrozenClock
from core.events import EventBus
from simulators.delivery.faults import FaultPlan
from simulators.fcm.errors import FCM_ERROR_TYPE, FCM_ERRORS, FcmErrorCode
from simulators.fcm.server import FcmMock
from tests.simulators.mock_support import Material, fcm_assertion, make_material

PROJECT = "pushsim-demo"
SEND = f"/v1/projects/{PROJECT}/messages:send"


@pytest.fixture(scope="module")
def material(tmp_path_factory: pytest.TempPathFactory) -> Material:
    return make_material(tmp_path_factory.mktemp("fcm-api"))


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def events() -> EventBus:
    return EventBus()


@pytest.fixture
def mock(material: Material, events: EventBus, clock: FrozenClock) -> FcmMock:
    return FcmMock(
        pki=material.pki,
        credentials=material.creds,
        events=events,
        clock=clock,
        faults=FaultPlan(seed=1),
    )


@pytest.fixture
async def http(mock: FcmMock) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=mock.api.app)
    async with httpx.AsyncClient(transport=transport, base_url="https://fcm.test") as client:
        yield client


@pytest.fixture
def bearer(mock: FcmMock) -> dict[str, str]:
    return {"Authorization": f"Bearer {mock.api.oauth.mint_access_token()}"}


@pytest.fixture
def token(mock: FcmMock) -> str:
    return mock.hub.register_fcm(project_id=PROJECT, app_id="com.pushsim.authenticator").token


def _message(target: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"message": {**target, "data": {"pushsim": "1", "requestID": "r-1"}, **extra}}


def _fcm_error_code(response: httpx.Response) -> tuple[int, str, str | None]:
    error = response.json()["error"]
    codes = [d["errorCode"] for d in error.get("details", []) if d["@type"] == FCM_ERROR_TYPE]
    return error["code"], error["status"], codes[0] if codes else None


# -- OAuth --------------------------------------------------------------------------------
async def _token_request(http: httpx.AsyncClient, assertion: str) -> httpx.Response:
    return await http.post(
        "/token",
        data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion},
    )


async def test_a_good_assertion_gets_an_access_token_that_sends(
    http: httpx.AsyncClient, material: Material, clock: FrozenClock, token: str
) -> None:
    answer = await _token_request(http, fcm_assertion(material.creds, now=clock.now()))
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "Bearer"
    assert 0 < body["expires_in"] <= 3600
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    sent = await http.post(SEND, json=_message({"token": token}), headers=headers)
    assert sent.status_code == 200
    assert sent.json()["name"].startswith(f"projects/{PROJECT}/messages/0:")
    clock.advance(3600)  # the access token lives an hour of the mock's clock
    late = await http.post(SEND, json=_message({"token": token}), headers=headers)
    assert _fcm_error_code(late) == (401, "UNAUTHENTICATED", None)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"iss": "someone@else.iam.gserviceaccount.com"}, "invalid_grant"),
        ({"aud": "https://example.com/token"}, "invalid_grant"),
        ({"scope": "https://www.googleapis.com/auth/userinfo.email"}, "invalid_scope"),
        ({"lifetime": 7200}, "invalid_grant"),
        ({"key": "other"}, "invalid_grant"),
        ({"skew": -7200}, "invalid_grant"),
    ],
)
async def test_bad_assertions_are_refused(
    http: httpx.AsyncClient,
    material: Material,
    clock: FrozenClock,
    change: dict[str, Any],
    error: str,
) -> None:
    if change.get("key") == "other":
        change = {"key": rsa.generate_private_key(public_exponent=65537, key_size=2048)}
    now = clock.now() + change.pop("skew", 0)
    answer = await _token_request(http, fcm_assertion(material.creds, now=now, **change))
    assert answer.status_code == 400
    assert answer.json()["error"] == error


async def test_oauth_refuses_other_grants_and_invalid_credentials(
    http: httpx.AsyncClient, mock: FcmMock, material: Material, clock: FrozenClock
) -> None:
    other = await http.post("/token", data={"grant_type": "client_credentials"})
    assert other.json()["error"] == "unsupported_grant_type"
    mock.faults.invalidate_credentials()
    answer = await _token_request(http, fcm_assertion(material.creds, now=clock.now()))
    assert (answer.status_code, answer.json()["error"]) == (400, "invalid_grant")


@pytest.mark.parametrize("authorization", [None, "Bearer nope", "Basic abc", "Bearer "])
async def test_a_bad_bearer_is_unauthenticated(
    http: httpx.AsyncClient, token: str, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    answer = await http.post(SEND, json=_message({"token": token}), headers=headers)
    assert _fcm_error_code(answer) == (401, "UNAUTHENTICATED", None)


async def test_another_project_is_permission_denied(
    http: httpx.AsyncClient, bearer: dict[str, str], token: str
) -> None:
    answer = await http.post(
        "/v1/projects/not-mine/messages:send", json=_message({"token": token}), headers=bearer
    )
    assert _fcm_error_code(answer) == (403, "PERMISSION_DENIED", None)


# -- request validation ----------------------------------------------------------------------
def _invalid_cases(token: str) -> list[tuple[dict[str, Any], str | None]]:
    return [
        ({"message": {"data": {"a": "b"}}}, "message"),
        ({"message": {"token": token, "topic": "news"}}, "message"),
        (_message({"token": token}, data={"count": 3}), "message.data.count"),
        (_message({"token": token}, data={"from": "x"}), "message.data.from"),
        (_message({"token": token}, data={"google.x": "y"}), "message.data.google.x"),
        (_message({"token": token}, android={"priority": "urgent"}), "message.android.priority"),
        (_message({"token": token}, android={"ttl": "60"}), "message.android.ttl"),
        (_message({"token": token}, android={"ttl": 60}), "message.android.ttl"),
        (_message({"token": token}, android={"ttl": "1.5m"}), "message.android.ttl"),
        (_message({"token": token}, data={"big": "x" * 4096}), "message"),
        (_message({"token": "not-a-token"}), "message.token"),
        (_message({"token": token}) | {"validate_only": "yes"}, "validate_only"),
        (_message({"token": token}) | {"extra": 1}, "extra"),
    ]


async def test_invalid_requests_are_invalid_argument(
    http: httpx.AsyncClient, bearer: dict[str, str], token: str
) -> None:
    for body, field in _invalid_cases(token):
        answer = await http.post(SEND, json=body, headers=bearer)
        assert _fcm_error_code(answer) == (400, "INVALID_ARGUMENT", "INVALID_ARGUMENT"), body
        violations = [
            v["field"]
            for d in answer.json()["error"]["details"]
            for v in d.get("fieldViolations", [])
        ]
        assert violations == ([field] if field else []), body
    not_json = await http.post(SEND, content=b"{", headers=bearer)
    assert _fcm_error_code(not_json)[0] == 400


@pytest.mark.parametrize("priority", ["high", "HIGH", "Normal"])
@pytest.mark.parametrize("ttl", ["3.5s", "0s", "60s", "0.000000001s"])
async def test_priority_in_any_case_and_duration_ttls_are_accepted(
    http: httpx.AsyncClient, bearer: dict[str, str], token: str, priority: str, ttl: str
) -> None:
    body = _message({"token": token}, android={"priority": priority, "ttl": ttl})
    assert (await http.post(SEND, json=body, headers=bearer)).status_code == 200


async def test_payload_limit_is_4096_bytes(
    http: httpx.AsyncClient, bearer: dict[str, str], token: str
) -> None:
    overhead = len(json.dumps({"data": {"k": ""}, "notification": {}}, separators=(",", ":")))
    fits = _message({"token": token}) | {
        "message": {"token": token, "data": {"k": "x" * (4096 - overhead)}}
    }
    assert (await http.post(SEND, json=fits, headers=bearer)).status_code == 200
    fits["message"]["data"]["k"] += "x"
    assert (await http.post(SEND, json=fits, headers=bearer)).status_code == 400


async def test_validate_only_checks_but_never_delivers(
    http: httpx.AsyncClient, bearer: dict[str, str], token: str, events: EventBus
) -> None:
    body = _message({"token": token}) | {"validate_only": True}
    answer = await http.post(SEND, json=body, headers=bearer)
    assert answer.json() == {"name": f"projects/{PROJECT}/messages/fake_message_id"}
    assert not [e for e in events.history if e.kind in ("fcm.stored", "fcm.delivered")]


async def test_targets_unknown_other_sender_fid_and_topic(
    http: httpx.AsyncClient, bearer: dict[str, str], token: str, mock: FcmMock
) -> None:
    unknown = token[:30] + ("A" if token[30] != "A" else "B") + token[31:]
    answer = await http.post(SEND, json=_message({"token": unknown}), headers=bearer)
    assert _fcm_error_code(answer) == (404, "NOT_FOUND", "UNREGISTERED")

    foreign = mock.hub.register_fcm(project_id="someone-else", app_id="com.other").token
    answer = await http.post(SEND, json=_message({"token": foreign}), headers=bearer)
    assert _fcm_error_code(answer) == (403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH")

    fid = token.split(":")[0]  # firebase-admin 7 sends the installation ID as "fid"
    assert (await http.post(SEND, json=_message({"fid": fid}), headers=bearer)).status_code == 200
    topic = await http.post(SEND, json=_message({"topic": "news"}), headers=bearer)
    assert topic.status_code == 200


# -- the error table through faults --------------------------------------------------------
@pytest.mark.parametrize("code", list(FcmErrorCode))
async def test_every_fcm_error_code_has_its_status(
    http: httpx.AsyncClient, bearer: dict[str, str], token: str, mock: FcmMock, code: FcmErrorCode
) -> None:
    mock.faults.fail(code.value, token=token, count=1)
    answer = await http.post(SEND, json=_message({"token": token}), headers=bearer)
    status, rpc_status, _ = FCM_ERRORS[code]
    assert _fcm_error_code(answer) == (status, rpc_status, code.value)
    again = await http.post(SEND, json=_message({"token": token}), headers=bearer)
    assert again.status_code == 200  # count=1: the next send is fine


async def test_rate_limit_outage_and_credentials_faults(
    http: httpx.AsyncClient, bearer: dict[str, str], token: str, mock: FcmMock
) -> None:
    body = _message({"token": token})
    mock.faults.rate_limit(count=1, retry_after=2)
    limited = await http.post(SEND, json=body, headers=bearer)
    assert _fcm_error_code(limited)[2] == "QUOTA_EXCEEDED"
    assert limited.headers["retry-after"] == "2"
    mock.faults.outage(count=1)
    down = await http.post(SEND, json=body, headers=bearer)
    assert _fcm_error_code(down)[2] == "UNAVAILABLE"
    assert down.headers["retry-after"] == "1"
    mock.faults.expire_credentials(count=1)
    expired = await http.post(SEND, json=body, headers=bearer)
    assert _fcm_error_code(expired) == (401, "UNAUTHENTICATED", None)
    assert (await http.post(SEND, json=body, headers=bearer)).status_code == 200


async def test_latency_delays_but_does_not_fail(
    http: httpx.AsyncClient, bearer: dict[str, str], token: str, mock: FcmMock, events: EventBus
) -> None:
    fault = mock.faults.add_latency(0.001, token=token)
    assert (
        await http.post(SEND, json=_message({"token": token}), headers=bearer)
    ).status_code == 200
    fired = [e for e in events.history if e.kind == "fcm.fault_fired"]
    assert [e.details["id"] for e in fired] == [fault.id]


async def test_events_carry_the_raw_body_but_no_secrets(
    http: httpx.AsyncClient,
    bearer: dict[str, str],
    token: str,
    events: EventBus,
    material: Material,
    clock: FrozenClock,
) -> None:
    await _token_request(http, fcm_assertion(material.creds, now=clock.now()))
    body = _message({"token": token}, notification={"title": "T", "body": "B"})
    raw = json.dumps(body)
    await http.post(SEND, content=raw.encode(), headers=bearer)
    sends = [e for e in events.history if e.kind == "fcm.send"]
    assert sends
    assert sends[-1].raw == raw
    assert sends[-1].request_id == "r-1"
    assert sends[-1].step == 3
    assert sends[-1].source == "fcm"
    stored = [e for e in events.history if e.kind == "fcm.stored"]
    assert stored
    assert stored[-1].details["token"] == token
    secret_bits = [bearer["Authorization"].split()[1], "PRIVATE KEY", "eyJ"]
    secret_bits.append(material.creds.service_account()["private_key"][100:160])
    for event in events.history:
        text = repr(event)
        assert not any(bit in text for bit in secret_bits), event.kind
