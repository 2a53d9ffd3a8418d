"""The admin's way out of each refusal, and the user's standing the console shows."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from core.protocol.keys import AuthenticatorKeys
from core.protocol.messages import Decision
from core.service.errors import TooManyRequests, Unauthorized
from tests.core.device_core import ADMIN, CoreEnv, answer

PASSKEY = "pushDemo-1234"


async def login(env: CoreEnv, passkey: str = PASSKEY) -> str:
    return (await env.service.login(user_id="alice", domain="demo", passkey=passkey)).request_id


async def reject(env: CoreEnv, keys: AuthenticatorKeys) -> None:
    await login(env)
    message = answer(keys, env.last_request_message(), now=env.now, decision=Decision.REJECT)
    await env.service.respond(serial=keys.serial, response_message=message)


async def test_clear_cooldown_ends_it_and_old_rejects_no_longer_count(core_env: CoreEnv) -> None:
    keys = await core_env.activate("alice")
    directory = core_env.service.directory
    for _ in range(3):
        await reject(core_env, keys)
    with pytest.raises(TooManyRequests, match="push cool-down"):
        await login(core_env)
    standing = await directory.standing(await directory.get_user("alice", "demo"))
    assert standing.cooldown == 600
    core_env.clock.advance(10)
    standing = await directory.standing(await directory.get_user("alice", "demo"))
    assert standing.cooldown == 590
    cleared = await directory.clear_cooldown("alice", "demo")
    assert cleared.cooldown_until is None
    assert (await directory.standing(cleared)).cooldown is None
    await reject(core_env, keys)  # one more reject: the three before the clear do not count
    await login(core_env)


async def test_the_push_rate_limit_shows_in_the_standing_and_clears(core_env: CoreEnv) -> None:
    await core_env.activate("alice")
    directory = core_env.service.directory
    for _ in range(3):
        await login(core_env)
    standing = await directory.standing(await directory.get_user("alice", "demo"))
    assert (standing.pushes, standing.push_wait) == (3, 60)
    with pytest.raises(TooManyRequests, match="push rate limit"):
        await login(core_env)
    cleared = await directory.clear_cooldown("alice", "demo")
    assert (await directory.standing(cleared)).push_wait is None
    await login(core_env)


async def test_reset_failed_attempts_keeps_the_lock(core_env: CoreEnv) -> None:
    await core_env.activate("alice")
    directory = core_env.service.directory
    for _ in range(2):
        with pytest.raises(Unauthorized):
            await login(core_env, "pushnope")
    assert (await directory.get_user("alice", "demo")).failed_attempts == 2
    assert (await directory.reset_failed_attempts("alice", "demo")).failed_attempts == 0
    await directory.update_user("alice", "demo", password=None, locked=True)
    still = await directory.reset_failed_attempts("alice", "demo")
    assert still.locked


async def test_a_check_in_flight_is_not_a_wrong_password(
    core_env: CoreEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    await core_env.activate("alice")
    directory = core_env.service.directory
    gate = core_env.service._login._gate
    release, entered = asyncio.Event(), asyncio.Event()
    verify = gate.verify

    async def held(user: object, password: str) -> bool:
        entered.set()  # the attempt is reserved (committed) before the hash runs
        await release.wait()
        return await verify(user, password)  # type: ignore[arg-type]

    monkeypatch.setattr(gate, "verify", held)
    task = asyncio.ensure_future(login(core_env))
    await entered.wait()
    assert gate.checking("alice", "demo") == 1
    standing = await directory.standing(await directory.get_user("alice", "demo"))
    assert (standing.user.failed_attempts, standing.checking) == (1, 1)  # charged, running
    assert standing.wrong_passwords == 0
    release.set()
    await task
    standing = await directory.standing(await directory.get_user("alice", "demo"))
    assert (standing.checking, standing.wrong_passwords) == (0, 0)


async def test_reset_and_clear_over_the_api(api: httpx.AsyncClient, core_env: CoreEnv) -> None:
    until_then = core_env.now + 600
    async with core_env.service.db.transaction() as tx:
        await tx.users.update("alice", "demo", {"cooldown_until": until_then, "failed_attempts": 2})
    reset = await api.post("/v1/admin/users/alice@demo/reset-failed-attempts", headers=ADMIN)
    assert reset.status_code == 200
    assert (reset.json()["failedAttempts"], reset.json()["cooldownUntil"]) == (0, until_then)
    cleared = await api.post("/v1/admin/users/alice@demo/clear-cooldown", headers=ADMIN)
    assert cleared.status_code == 200
    assert cleared.json()["cooldownUntil"] is None
    for action in ("reset-failed-attempts", "clear-cooldown"):
        path = f"/v1/admin/users/nobody@demo/{action}"
        assert (await api.post(path, headers=ADMIN)).status_code == 404
        assert (await api.post(path)).status_code == 401
