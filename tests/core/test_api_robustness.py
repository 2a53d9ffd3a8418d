"""Bad input of every shape against every endpoint: always a JSON 4xx, never a 500.

Valid bodies are mutated field by field with values of the wrong type (and a
few nasty ones: lone surrogates, deep nesting, huge numbers); a seeded random
generator keeps the run reproducible.
"""

from __future__ import annotations

import json
import random

import httpx
import pytest

from tests.core.device_core import ADMIN, CoreEnv

NASTY: list[object] = [
    None,
    True,
    0,
    -1,
    10**30,
    1.5,
    float("1e308"),
    "",
    "x" * 5000,
    "\ud800",
    "\x00",
    "💥",
    [],
    ["push"],
    {},
    {"a": {"b": {"c": []}}},
]

POSTS: dict[str, dict[str, object]] = {
    "/v1/users/alice@demo/login": {
        "objectType": "LoginInput",
        "credentials": {"passKey": "pushDemo-1234"},
        "orchestrationDelivery": ["pushNotification"],
        "clientIP": "1.2.3.4",
        "requestID": "r-1",
    },
    "/v1/users/register": {
        "userID": "alice",
        "domain": "demo",
        "activationType": "offlineMDL",
        "appKind": "sdk",
        "platform": "ios",
    },
    "/v1/registrations/nope/add-device": {"deviceCode": "AAAA-BBBB"},
    "/v1/registrations/nope/activate": {"signature": "1" * 16},
    "/v1/authenticators/PS00000001/notification-registration": {
        "platform": "android",
        "pushToken": "t",
        "appID": "com.pushsim.authenticator",
        "time": 1.0,
        "signature": "1" * 16,
    },
    "/v1/push/secure-challenge": {"serialNumber": "PS00000001", "challengeKey": "k"},
    "/v1/push/response": {"serialNumber": "PS00000001", "responseMessage": "00"},
    "/v1/admin/domains": {
        "name": "d2",
        "mobileApplicationName": "a.b",
        "requestMethod": "KeywordOnly",
        "keywords": {"push": "device"},
        "pushTimeout": 60,
        "lockoutThreshold": 5,
        "pollFallback": False,
        "numberMatching": False,
    },
    "/v1/admin/push-apps": {
        "appID": "a.b",
        "platform": "ios",
        "apns": {"auth": "token", "keyPem": "x", "keyID": "k", "teamID": "t"},
        "endpoint": "https://x",
    },
    "/v1/admin/users": {"userID": "zed", "domain": "demo", "password": "pw"},
}


def mutations(body: dict[str, object], rng: random.Random) -> list[object]:
    out: list[object] = []
    for key, value in body.items():
        for junk in rng.sample(NASTY, 6):
            out.append({**body, key: junk})
        if isinstance(value, dict):
            for inner in value:
                out.append({**body, key: {**value, inner: rng.choice(NASTY)}})
        out.append({k: v for k, v in body.items() if k != key})
    out += [rng.choice(NASTY), [body], "text"]
    return out


@pytest.mark.parametrize("path", list(POSTS))
async def test_mutated_bodies_never_500(
    api: httpx.AsyncClient, core_env: CoreEnv, path: str
) -> None:
    rng = random.Random(path)
    await core_env.activate("alice")
    for body in mutations(POSTS[path], rng):
        # ASCII-escaped JSON, so lone surrogates travel as \ud800 like a hostile client's
        response = await api.post(path, content=json.dumps(body).encode(), headers=ADMIN)
        assert response.status_code < 500, (body, response.text)
        data = response.json()
        if response.status_code >= 400:
            assert isinstance(data["message"], str)
            assert isinstance(data["validationErrors"], list)


@pytest.mark.parametrize(
    "content",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a":' * 30_000 + b"1" + b"}" * 30_000,
        b'{"credentials": {"passKey": "\\ud800"}}',
        b'{"credentials": {"passKey": "push"}, "n": ' + b"9" * 5000 + b"}",
        b"\x00\x01\x02",
        b'{"credentials": {"passKey": NaN}}',
    ],
)
async def test_hostile_json_is_400_or_413(api: httpx.AsyncClient, content: bytes) -> None:
    response = await api.post("/v1/users/alice@demo/login", content=content)
    assert response.status_code in (400, 413)
    assert "message" in response.json()


@pytest.mark.parametrize(
    "path",
    [
        "/v1/sessions/%00",
        "/v1/sessions/\u00e9\u00e9",
        "/v1/admin/users/a@b@c",
        "/v1/admin/sessions?limit=-5&status=bogus",
        "/v1/admin/audit-events?limit=abc",
        "/v1/authenticators/x/pending?time=nan&signature=1",
    ],
)
async def test_odd_paths_and_queries(api: httpx.AsyncClient, path: str) -> None:
    response = await api.get(path, headers=ADMIN)
    assert response.status_code < 500
