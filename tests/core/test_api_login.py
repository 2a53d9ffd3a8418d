"""POST /v1/users/{userID}@{domain}/login: happy path and every refusal, never a 500."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.core.device_core import CoreEnv, open_request

LOGIN = "/v1/users/alice@demo/login"


def body(passkey: object = "pushDemo-1234", **extra: object) -> dict[str, object]:
    return {
        "objectType": "LoginInput",
        "credentials": {"passKey": passkey},
        "orchestrationDelivery": ["pushNotification"],
        "clientIP": "192.0.2.7",
        **extra,
    }


def assert_error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    data = response.json()
    assert isinstance(data["message"], str)
    assert isinstance(data["validationErrors"], list)
    assert "Traceback" not in response.text
    return dict(data)


async def test_login_sends_push_and_answers_pending(
    api: httpx.AsyncClient, core_env: CoreEnv
) -> None:
    await core_env.activate("alice")
    response = await api.post(LOGIN, json=body(requestID="req-1"))
    assert response.status_code == 200
    assert response.json() == {"requestID": "req-1", "sessionStatus": "pending"}
    assert len(core_env.providers.sends()) == 1


async def test_number_matching_login_carries_a_two_digit_number(
    api: httpx.AsyncClient, core_env: CoreEnv
) -> None:
    await core_env.service.directory.update_domain("demo", {"number_matching": True})
    keys = await core_env.activate("alice")
    data = (await api.post(LOGIN, json=body())).json()
    assert 10 <= data["number"] <= 99
    request = open_request(keys, core_env.last_request_message())
    assert request.numbers is not None
    assert len(request.numbers) == 3
    assert data["number"] in request.numbers


@pytest.mark.parametrize(
    ("content", "status", "field"),
    [
        (b"{not json", 400, None),
        (b"[1, 2]", 400, None),
        (b"", 400, None),
        (b'{"credentials": {"passKey": 12}}', 400, "credentials.passKey"),
        (b'{"credentials": "push"}', 400, "credentials"),
        (b"{}", 400, "credentials"),
        (b'{"credentials": {"passKey": "x"}, "clientIP": 5}', 400, "clientIP"),
        (b'{"credentials": {"passKey": "x"}, "requestID": "a b"}', 400, "requestID"),
        (b'{"credentials": {"passKey": "x"}, "objectType": "Other"}', 400, "objectType"),
        (
            b'{"credentials": {"passKey": "x"}, "orchestrationDelivery": ["sms"]}',
            400,
            "orchestrationDelivery",
        ),
        (b"\xff\xfe", 400, None),
    ],
)
async def test_bad_bodies_are_400(
    api: httpx.AsyncClient, content: bytes, status: int, field: str | None
) -> None:
    data = assert_error(await api.post(LOGIN, content=content), status)
    if field is not None:
        assert field in [e["field"] for e in data["validationErrors"]]


async def test_oversized_body_is_413(api: httpx.AsyncClient) -> None:
    big = b'{"credentials": {"passKey": "' + b"x" * (65 * 1024) + b'"}}'
    assert_error(await api.post(LOGIN, content=big), 413)


async def test_an_unknown_user_is_a_wrong_password_and_an_unknown_domain_404(
    api: httpx.AsyncClient, core_env: CoreEnv
) -> None:
    await core_env.activate("alice")
    unknown = await api.post("/v1/users/mallory@demo/login", json=body())
    wrong = await api.post(LOGIN, json=body("pushWrong"))
    assert (unknown.status_code, unknown.json()) == (wrong.status_code, wrong.json())
    assert assert_error(unknown, 401) == {
        "message": "wrong user ID or static password",
        "validationErrors": [],
    }
    assert "unknown domain" in str(
        assert_error(await api.post("/v1/users/alice@nowhere/login", json=body()), 404)["message"]
    )


async def test_passkey_without_keyword_is_401(api: httpx.AsyncClient, core_env: CoreEnv) -> None:
    await core_env.activate("alice")
    assert_error(await api.post(LOGIN, json=body("Demo-1234")), 401)
    assert core_env.providers.sends() == []


async def test_a_revealing_domain_answers_404_and_counts_down(
    api: httpx.AsyncClient, core_env: CoreEnv
) -> None:
    await core_env.service.directory.update_domain("demo", {"reveal_unknown_users": True})
    data = assert_error(await api.post("/v1/users/mallory@demo/login", json=body()), 404)
    assert data["message"] == "unknown user mallory@demo"
    await core_env.activate("alice")
    for attempt in range(1, 6):
        data = assert_error(await api.post(LOGIN, json=body("pushWrong")), 401)
        assert data["remainingAttempts"] == 5 - attempt
    assert data["message"] == "wrong static password; the user is now locked"
    assert_error(await api.post(LOGIN, json=body()), 423)


async def test_wrong_password_counts_then_locks_with_423(
    api: httpx.AsyncClient, core_env: CoreEnv
) -> None:
    await core_env.activate("alice")
    for _ in range(5):
        data = assert_error(await api.post(LOGIN, json=body("pushWrong")), 401)
        assert "remainingAttempts" not in data  # an unknown user would have none to show
    assert_error(await api.post(LOGIN, json=body()), 423)  # even the right password
    assert core_env.providers.sends() == []
    user = await core_env.service.directory.get_user("alice", "demo")
    assert user.locked


async def test_correct_password_resets_the_counter(
    api: httpx.AsyncClient, core_env: CoreEnv
) -> None:
    await core_env.activate("alice")
    assert_error(await api.post(LOGIN, json=body("pushWrong")), 401)
    assert (await api.post(LOGIN, json=body())).status_code == 200
    assert (await core_env.service.directory.get_user("alice", "demo")).failed_attempts == 0


async def test_keyword_is_case_insensitive(api: httpx.AsyncClient, core_env: CoreEnv) -> None:
    await core_env.activate("alice")
    assert (await api.post(LOGIN, json=body("PUSHDemo-1234"))).status_code == 200


async def test_no_push_ready_authenticator_is_409(api: httpx.AsyncClient) -> None:
    data = assert_error(await api.post(LOGIN, json=body()), 409)
    assert "no active authenticator" in str(data["message"])


async def test_taken_request_id_is_409(api: httpx.AsyncClient, core_env: CoreEnv) -> None:
    await core_env.activate("alice")
    assert (await api.post(LOGIN, json=body(requestID="same"))).status_code == 200
    assert_error(await api.post(LOGIN, json=body(requestID="same")), 409)


async def test_wrong_method_is_405_and_unknown_path_404(api: httpx.AsyncClient) -> None:
    response = await api.get(LOGIN)
    assert_error(response, 405)
    assert response.headers["allow"] == "POST"
    assert_error(await api.get("/v1/nothing"), 404)
