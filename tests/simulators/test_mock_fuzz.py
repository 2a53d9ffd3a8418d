"""Hypothesis fuzzes the mocks' endpoints: never a 500, never a hang, the provider's own shape.

In process and bounded (a few seconds in ``make test``): the FCM mock's ASGI app
(OAuth-authenticated ``messages:send``, device registration and stream, the
control API) is called directly with generated methods, paths, headers and
bodies; the APNs request handler (``ApnsService.handle``, what the HTTP/2
server hands every request to) gets generated headers and payloads behind a
valid provider token. Every call must finish within ``HANG`` seconds. Runs are
derandomised (the tests' hypothesis profile): the same inputs every time.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from core.clock import FrozenClock
from core.events import EventBus
from simulators.apns.handler import _SINGLE_HEADERS, ApnsRequest, ApnsService
from simulators.apns.reasons import APNS_REASONS
from simulators.apns.server import ApnsMock
from simulators.delivery.access import SECRET_HEADER
from simulators.delivery.faults import FaultPlan
from simulators.fcm.server import FcmMock
from tests.simulators.mock_support import Material, apns_headers, make_material

HANG = 2.0
EXAMPLES = 120
PROJECT = "pushsim-demo"
ADMIN = "fuzz-admin-token"
REGISTERED = "<registered>"  # replaced by a registered token in the encoded body

json_leaf = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_value = st.recursive(
    json_leaf,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
latin1 = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=40)


def _encoded(value: Any) -> bytes:
    return json.dumps(value).encode("utf-8")


def bodies(shaped: st.SearchStrategy[Any]) -> st.SearchStrategy[bytes]:
    """Provider-shaped JSON, any JSON, JSON cut or spliced, and plain bytes."""
    text = st.one_of(shaped, json_value).map(_encoded)
    cut = st.tuples(text, st.integers(min_value=0, max_value=200)).map(lambda t: t[0][: t[1]])
    spliced = st.tuples(text, st.binary(max_size=8), st.integers(0, 200)).map(
        lambda t: t[0][: t[2]] + t[1] + t[0][t[2] :]
    )
    return st.one_of(text, text, cut, spliced, st.binary(max_size=64))


token_value = st.just(REGISTERED) | st.just(REGISTERED) | st.text(max_size=30) | json_value
fcm_message = st.fixed_dictionaries(
    {"token": token_value},
    optional={
        "topic": st.text(max_size=10),
        "data": st.dictionaries(st.text(max_size=10), st.text(max_size=10))
        | st.dictionaries(st.text(max_size=10), json_value),
        "notification": st.dictionaries(st.sampled_from(["title", "body", "x"]), json_value),
        "android": st.fixed_dictionaries(
            {},
            optional={
                "priority": st.sampled_from(["high", "NORMAL", "urgent"]) | json_value,
                "ttl": st.from_regex(r"-?[0-9]{0,12}(\.[0-9]{0,12})?s?", fullmatch=True)
                | json_value,
                "collapse_key": json_value,
            },
        ),
    },
)
fcm_send_body = st.fixed_dictionaries(
    {"message": fcm_message | fcm_message | json_value}, optional={"validate_only": json_value}
)
registration_body = st.fixed_dictionaries(
    {
        "projectId": st.sampled_from([PROJECT, PROJECT, "", "a b"]) | json_value,
        "appId": st.sampled_from(["com.pushsim.authenticator"] * 2 + ["-x"]) | json_value,
    },
    optional={"bundleId": json_value, "environment": json_value},
)
fault_body = st.fixed_dictionaries(
    {"kind": st.sampled_from(["latency", "error", "rate_limit", "offline", "uninstall", "x"])},
    optional={
        "error": st.sampled_from(["UNREGISTERED", "INTERNAL", "nope"]) | json_value,
        "count": json_value,
        "probability": json_value,
        "retry_after": json_value,
        "latency": st.floats(min_value=-1, max_value=0.001) | json_value,
        "jitter": json_value,
        "token": json_value,
        "seed": json_value,
    },
)


@dataclass
class Answer:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


async def _call(app: Any, method: str, path: str, headers: dict[str, str], body: bytes) -> Answer:
    """One ASGI request to ``app``; the peer goes away once the answer is complete."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "scheme": "https",
        "method": method,
        "path": path,
        "raw_path": path.encode("utf-8", errors="replace"),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()],
        "server": ("127.0.0.1", 443),
        "client": ("127.0.0.1", 50000),
    }
    sent = False
    answer = Answer(status=0, body=b"")

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer.status = message["status"]
        elif message["type"] == "http.response.body":
            answer.body += message.get("body", b"")

    async with asyncio.timeout(HANG):
        await app(scope, receive, send)
    assert answer.status, "no answer"
    return answer


@pytest.fixture(scope="module")
def material(tmp_path_factory: pytest.TempPathFactory) -> Material:
    return make_material(tmp_path_factory.mktemp("fuzz"))


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="module")
def fcm(material: Material) -> FcmMock:
    return FcmMock(
        pki=material.pki,
        credentials=material.creds,
        events=EventBus(history=100),
        clock=FrozenClock(),
        faults=FaultPlan(seed=1),
        admin_token=ADMIN,
    )


def _registered(fcm: FcmMock) -> str:
    registrations = fcm.hub.registry.all()
    if registrations:
        return registrations[0].token
    return fcm.hub.register_fcm(project_id=PROJECT, app_id="com.pushsim.authenticator").token


def _google_error(answer: Answer) -> None:
    error = answer.json()["error"]
    assert error["code"] == answer.status
    assert isinstance(error["message"], str)
    assert isinstance(error["status"], str)


def _message_error(answer: Answer) -> None:
    assert set(answer.json()) == {"message"}


# -- FCM send ---------------------------------------------------------------------------------
@settings(max_examples=EXAMPLES)
@given(
    body=bodies(fcm_send_body),
    auth=st.sampled_from(["valid", "none", "junk"]),
    project=st.sampled_from([PROJECT, "other"]),
)
def test_fcm_send_answers_google_errors_only(
    loop: asyncio.AbstractEventLoop, fcm: FcmMock, body: bytes, auth: str, project: str
) -> None:
    headers = {"content-type": "application/json"}
    if auth == "valid":
        headers["authorization"] = f"Bearer {fcm.api.oauth.mint_access_token()}"
    elif auth == "junk":
        headers["authorization"] = "Bearer ya29.junk"
    path = f"/v1/projects/{project}/messages:send"
    body = body.replace(REGISTERED.encode(), _registered(fcm).encode())
    answer = loop.run_until_complete(_call(fcm.api.app, "POST", path, headers, body))
    event(f"HTTP {answer.status}")
    assert answer.status != 500
    if answer.status == 200:
        assert answer.json()["name"].startswith(f"projects/{project}/messages/")
    else:
        assert answer.status in (400, 401, 403, 404)
        _google_error(answer)
    if auth != "valid":
        assert answer.status == 401


# -- device registration and stream ---------------------------------------------------------------
@settings(max_examples=EXAMPLES)
@given(body=bodies(registration_body))
def test_fcm_registration_answers_201_or_a_message_400(
    loop: asyncio.AbstractEventLoop, fcm: FcmMock, body: bytes
) -> None:
    headers = {"content-type": "application/json"}
    answer = loop.run_until_complete(
        _call(fcm.api.app, "POST", "/pushsim/v1/devices", headers, body)
    )
    event(f"HTTP {answer.status}")
    if answer.status == 201:
        assert isinstance(answer.json()["registrationSecret"], str)
    else:
        assert answer.status == 400
        _message_error(answer)


@settings(max_examples=EXAMPLES)
@given(
    secret=st.none() | latin1,
    known=st.booleans(),
    token=st.from_regex(r"[A-Za-z0-9_:-]{1,40}", fullmatch=True),
)
def test_fcm_stream_refuses_unproven_secrets_at_once(
    loop: asyncio.AbstractEventLoop, fcm: FcmMock, secret: str | None, known: bool, token: str
) -> None:
    if known:
        token = fcm.hub.register_fcm(project_id=PROJECT, app_id="com.pushsim.authenticator").token
    headers = {} if secret is None else {SECRET_HEADER: secret}
    path = f"/pushsim/v1/devices/{token}/stream"
    answer = loop.run_until_complete(_call(fcm.api.app, "GET", path, headers, b""))
    _message_error(answer)
    if not known:
        assert answer.status == 404
    else:
        assert answer.status == (401 if not secret else 403)
        assert not fcm.hub.is_connected(token)


# -- control API ------------------------------------------------------------------------------
CONTROL_ROUTES = {
    ("GET", ""),
    ("GET", "/faults"),
    ("POST", "/faults"),
    ("DELETE", "/faults"),
    ("DELETE", "/faults/f1"),
    ("POST", "/seed"),
    ("GET", "/devices"),
    ("POST", "/devices/tok:en/offline"),
}
control_paths = st.sampled_from(
    ["", "/faults", "/faults/f1", "/seed", "/devices", "/devices/tok:en/offline", "/x", "/faults/"]
)


@settings(max_examples=EXAMPLES)
@given(
    method=st.sampled_from(["GET", "POST", "DELETE", "PUT"]),
    path=control_paths,
    authorization=st.sampled_from(["admin", "own", "none"]) | latin1,
    body=bodies(fault_body),
)
def test_fcm_control_api_needs_a_token_and_never_fails(
    loop: asyncio.AbstractEventLoop,
    fcm: FcmMock,
    method: str,
    path: str,
    authorization: str,
    body: bytes,
) -> None:
    tokens = {"admin": ADMIN, "own": fcm.control_token}
    headers = {"content-type": "application/json"}
    if authorization in tokens:
        headers["authorization"] = f"Bearer {tokens[authorization]}"
    elif authorization != "none":
        headers["authorization"] = authorization
    answer = loop.run_until_complete(
        _call(fcm.api.app, method, "/pushsim/control" + path, headers, body)
    )
    fcm.faults.clear()  # an accepted fault must not change the next example's answer
    event(f"HTTP {answer.status}")
    assert answer.status != 500
    if authorization not in tokens:
        assert answer.status in (401, 404, 405)  # 404/405: no such route, before any check
        if (method, path) in CONTROL_ROUTES:
            assert answer.status == 401
            _google_error(answer)
    elif answer.status == 404:  # an unknown fault or device, or the FCM mock's own 404
        assert set(answer.json()) in ({"message"}, {"error"})
    elif answer.status >= 400:
        assert answer.status in (400, 405)
        _message_error(answer)


# -- APNs headers and payload ------------------------------------------------------------------
APNS_HEADERS = [*_SINGLE_HEADERS, "x-other"]
aps_payload = st.fixed_dictionaries(
    {"aps": st.dictionaries(st.sampled_from(["alert", "badge", "sound"]), json_value) | json_value},
    optional={"requestID": json_value},
)


@pytest.fixture(scope="module")
def apns(material: Material) -> tuple[ApnsService, FrozenClock]:
    clock = FrozenClock()
    mock = ApnsMock(
        pki=material.pki,
        credentials=material.creds,
        events=EventBus(history=100),
        clock=clock,
        faults=FaultPlan(seed=1),
    )
    mock.hub.register_apns(bundle_id="com.pushsim.sdkdemo")
    return mock.service, clock


@settings(max_examples=EXAMPLES)
@given(
    changes=st.lists(st.tuples(st.sampled_from(APNS_HEADERS), latin1), max_size=3),
    body=bodies(aps_payload),
    token=st.sampled_from(["registered", "0" * 64, "zz", ""]),
    method=st.sampled_from(["POST", "POST", "GET"]),
    duplicate=st.integers(0, 9).map(lambda n: n == 0),
)
def test_apns_answers_apple_reasons_only(
    loop: asyncio.AbstractEventLoop,
    apns: tuple[ApnsService, FrozenClock],
    material: Material,
    changes: list[tuple[str, str]],
    body: bytes,
    token: str,
    method: str,
    duplicate: bool,
) -> None:
    service, clock = apns
    if token == "registered":
        token = service.hub.registry.all()[0].token
    headers = dict(apns_headers(material, clock))
    headers.update(changes)  # mostly replaced, sometimes added, now and then repeated
    repeated = changes[:1] if duplicate else []
    headers = [*headers.items(), *repeated]
    request = ApnsRequest(
        method=method, path=f"/3/device/{token}", headers=tuple(headers), body=body
    )

    async def handle() -> Any:
        async with asyncio.timeout(HANG):
            return await service.handle(request)

    response = loop.run_until_complete(handle())
    event(f"HTTP {response.status} {response.reason}")
    assert response.status != 500
    if response.status == 200:
        assert response.body == b""
    else:
        assert APNS_REASONS[response.reason] == response.status
        assert set(json.loads(response.body)) <= {"reason", "timestamp"}
