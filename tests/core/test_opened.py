"""The response is opened once; a non-string is a local bug or an input error, never a bad tag."""

from __future__ import annotations

import pytest

import core.protocol.session as session_module
from core.protocol.session import SessionStatus, open_response, validate_response
from core.service.errors import InvalidInput
from tests.core.device_core import CoreEnv, answer


@pytest.fixture
def env(core_env: CoreEnv) -> CoreEnv:
    return core_env


async def test_respond_opens_the_message_once(
    env: CoreEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = await env.activate("alice")
    await env.service.login(user_id="alice", domain="demo", passkey="pushDemo-1234")
    message = answer(keys, env.last_request_message(), now=env.now)
    calls: list[str] = []
    real = session_module.open_message

    def counting(*args: object, **kwargs: object) -> object:
        calls.append("open")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(session_module, "open_message", counting)
    decided = await env.service.respond(serial=keys.serial, response_message=message)
    assert decided.status == SessionStatus.ACCEPTED
    assert calls == ["open"]


async def test_a_non_string_answer_is_an_input_error(env: CoreEnv) -> None:
    keys = await env.activate("alice")
    with pytest.raises(InvalidInput):
        await env.service.respond(serial=keys.serial, response_message=123)  # type: ignore[arg-type]


async def test_a_non_string_is_a_local_bug_not_a_bad_tag(env: CoreEnv) -> None:
    keys = await env.activate("alice")
    with pytest.raises(TypeError):
        open_response(123, keys)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        validate_response(
            message=123,  # type: ignore[arg-type]
            authenticator_serial=keys.serial,
            authenticator_active=True,
            keys=keys,
            session=None,
            nonce_is_fresh=lambda _serial, _nonce: True,
            now=env.now,
        )


async def test_a_message_that_does_not_open_names_no_request(env: CoreEnv) -> None:
    keys = await env.activate("alice")
    assert open_response("00" * 40, keys) is None
    assert session_module.request_id_of_response("zz", keys=keys) is None
