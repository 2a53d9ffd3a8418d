"""Service-level push login: happy path, decisions, limits, expiry, push outcomes."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import pytest

from core.protocol.messages import Decision
from core.settings import FAST_TEST_SETTINGS
from tests.core.device_core import CoreEnv, answer, make_env


@pytest.fixture
def env(core_env: CoreEnv) -> CoreEnv:
    return core_env


async def test_login_push_accept(env: CoreEnv) -> None:
    keys = await env.activate("alice")
    result = await env.service.login(user_id="alice", domain="demo", passkey="pushDemo-1234")
    assert result.status == "pending"
    message = env.last_request_message()
    decided = await env.service.respond(
        serial=keys.serial, response_message=answer(keys, message, now=env.now)
    )
    assert decided.status == "accepted"
    session = await env.service.session_status(result.request_id)
    assert session.status == "accepted"
    trace = await env.service.trace(result.request_id)
    assert [e.step for e in trace.events] == [1, 2, 3, 3, 6, 7]
    assert trace.failed_check is None
    assert all(c["passed"] for c in trace.checks)


async def test_reject(env: CoreEnv) -> None:
    keys = await env.activate("alice")
    result = await env.service.login(user_id="alice", domain="demo", passkey="pushDemo-1234")
    decided = await env.service.respond(
        serial=keys.serial,
        response_message=answer(
            keys, env.last_request_message(), now=env.now, decision=Decision.REJECT
        ),
    )
    assert (decided.status, decided.reason) == ("refused", "rejected by user")
    assert result.request_id == decided.request_id


async def test_background_sweeper_marks_expired_sessions(tmp_path: Path) -> None:
    settings = dataclasses.replace(FAST_TEST_SETTINGS, expiry_sweep_interval=0.01)
    env = await make_env(tmp_path, settings=settings)
    await env.add_domain(push_timeout=30)
    await env.add_apps()
    await env.service.directory.create_user("alice", "demo", "Demo-1234")
    await env.activate("alice")
    result = await env.service.login(user_id="alice", domain="demo", passkey="pushDemo-1234")
    env.service.start_background()
    env.clock.advance(31)
    decided = await env.events.wait_for(
        lambda e: e.kind == "session.decided" and e.request_id == result.request_id, timeout=5
    )
    assert decided.details["status"] == "timeout"
    assert decided.step == 7
    async with env.service.db.read() as repos:
        stored = await repos.sessions.get(result.request_id)
    assert stored is not None
    assert (stored.status, stored.reason) == ("timeout", "push timeout: no answer within 30 s")
    await env.service.close()
    await env.service.db.close()


async def test_seed_keywords_map_to_protections(env: CoreEnv) -> None:
    keys = await env.activate("bob", platform="ios", app_kind="sdk", push_token="ab" * 32)
    for keyword, protection in (
        ("NoPIN", "device"),
        ("pin", "pin"),
        ("FINGERPRINT", "fingerprint"),
    ):
        result = await env.service.login(
            user_id="bob", domain="demo", passkey=f"{keyword}Demo-1234"
        )
        session = await env.service.session_status(result.request_id)
        assert session.protection == protection
        assert session.serial == keys.serial


async def test_polls_leave_no_wake_up_events_behind(env: CoreEnv) -> None:
    """A long poll's event lives only while someone waits: decided sessions polled
    again and again (browsers refreshing) must not grow the core's memory."""
    watch = env.service.context.watch
    keys = await env.activate("alice")
    result = await env.service.login(user_id="alice", domain="demo", passkey="pushDemo-1234")
    message = env.last_request_message()
    waiting = asyncio.create_task(env.service.session_status(result.request_id, wait=5))
    second = asyncio.create_task(env.service.session_status(result.request_id, wait=5))
    for _ in range(50):  # let both polls read the session and park on its one event
        await asyncio.sleep(0)
    assert watch.watched == 1
    assert not waiting.done()
    await env.service.respond(
        serial=keys.serial, response_message=answer(keys, message, now=env.now)
    )
    assert (await waiting).status == (await second).status == "accepted"
    for _ in range(3):  # polls of a decided session return at once
        assert (await env.service.session_status(result.request_id, wait=5)).status == "accepted"
    assert watch.watched == 0
