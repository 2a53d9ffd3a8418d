"""Rate limits against push bombing, lockout, and the pending-push limit (SPEC §2.3)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.protocol.messages import Decision
from core.seed import DEMO_KEYWORDS
from core.service.errors import Locked, TooManyRequests, Unauthorized
from core.settings import FAST_TEST_SETTINGS, PendingPolicy
from tests.core.device_core import CoreEnv, answer, make_env


async def login(env: CoreEnv, passkey: str = "pushDemo-1234") -> str:
    return (await env.service.login(user_id="alice", domain="demo", passkey=passkey)).request_id


async def test_new_login_cancels_the_older_pending_one(core_env: CoreEnv) -> None:
    await core_env.activate("alice")
    first = await login(core_env)
    second = await login(core_env)
    old = await core_env.service.session_status(first)
    assert (old.status, old.reason) == (
        "failure",
        f"cancelled: superseded by a newer login ({second})",
    )
    assert (await core_env.service.session_status(second)).status == "pending"


@pytest.fixture
async def refusing(tmp_path: Path) -> AsyncIterator[CoreEnv]:
    settings = dataclasses.replace(FAST_TEST_SETTINGS, pending_policy=PendingPolicy.REFUSE)
    env = await make_env(tmp_path, settings=settings)
    await env.add_domain(keywords=dict(DEMO_KEYWORDS))
    await env.add_apps()
    await env.service.directory.create_user("alice", "demo", "Demo-1234")
    yield env
    await env.service.close()
    await env.service.db.close()


async def test_refuse_policy_refuses_and_traces_it(refusing: CoreEnv) -> None:
    await refusing.activate("alice")
    first = await login(refusing)
    with pytest.raises(TooManyRequests) as refused:
        await login(refusing)
    request_id = refused.value.extra["request_id"]
    assert (await refusing.service.session_status(first)).status == "pending"
    trace = await refusing.service.trace(request_id)
    assert trace.session.status == "failure"
    assert trace.session.reason.startswith("refused: a push for alice@demo is already pending")
    assert [e.kind for e in trace.events] == ["login.received", "login.refused"]
    assert len(refusing.providers.sends()) == 1  # no second push


async def test_concurrent_logins_cannot_both_pass_the_limit(refusing: CoreEnv) -> None:
    await refusing.activate("alice")
    results = await asyncio.gather(*(login(refusing) for _ in range(6)), return_exceptions=True)
    ok = [r for r in results if isinstance(r, str)]
    refused = [r for r in results if isinstance(r, TooManyRequests)]
    assert len(ok) == 1
    assert len(refused) == 5
    assert len(refusing.providers.sends()) == 1


async def test_three_rejects_start_a_cool_down(core_env: CoreEnv) -> None:
    keys = await core_env.activate("alice")
    last = ""
    for _ in range(3):
        last = await login(core_env)
        await core_env.service.respond(
            serial=keys.serial,
            response_message=answer(
                keys, core_env.last_request_message(), now=core_env.now, decision=Decision.REJECT
            ),
        )
        core_env.clock.advance(60)
    trace = await core_env.service.trace(last)
    cooldown = [e for e in trace.events if e.kind == "ratelimit.cooldown"]
    assert len(cooldown) == 1
    assert cooldown[0].step == 7
    assert "3 rejects within 10 min" in cooldown[0].summary
    with pytest.raises(TooManyRequests, match="push cool-down") as refused:
        await login(core_env)
    refused_trace = await core_env.service.trace(refused.value.extra["request_id"])
    assert refused_trace.session.reason.startswith("refused: push cool-down")
    pushes = len(core_env.providers.sends())
    core_env.clock.advance(601)
    await login(core_env)
    assert len(core_env.providers.sends()) == pushes + 1


async def test_rejects_outside_the_window_do_not_count(core_env: CoreEnv) -> None:
    keys = await core_env.activate("alice")
    for _ in range(4):
        await login(core_env)
        await core_env.service.respond(
            serial=keys.serial,
            response_message=answer(
                keys, core_env.last_request_message(), now=core_env.now, decision=Decision.REJECT
            ),
        )
        core_env.clock.advance(301)  # two rejects never share a 10-minute window with a third
    await login(core_env)


async def test_unlock_clears_the_cool_down(core_env: CoreEnv) -> None:
    await core_env.activate("alice")
    until = core_env.now + 600
    async with core_env.service.db.transaction() as tx:
        await tx.users.update("alice", "demo", {"cooldown_until": until})
    with pytest.raises(TooManyRequests):
        await login(core_env)
    await core_env.service.directory.unlock_user("alice", "demo")
    await login(core_env)


async def test_five_wrong_passwords_lock(core_env: CoreEnv) -> None:
    await core_env.activate("alice")
    for _ in range(5):
        with pytest.raises(Unauthorized):
            await login(core_env, "pushnope")
    with pytest.raises(Locked):
        await login(core_env)
    assert core_env.providers.sends() == []
    await core_env.service.directory.unlock_user("alice", "demo")
    await login(core_env)


async def test_concurrent_wrong_passwords_stop_at_the_threshold(core_env: CoreEnv) -> None:
    await core_env.activate("alice")
    results = await asyncio.gather(
        *(login(core_env, "pushnope") for _ in range(7)), return_exceptions=True
    )
    assert all(isinstance(r, Unauthorized | Locked) for r in results)
    assert len([r for r in results if isinstance(r, Locked)]) >= 2
    user = await core_env.service.directory.get_user("alice", "demo")
    assert user.failed_attempts == 5
    assert user.locked
