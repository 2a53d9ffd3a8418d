"""Step mode holds the real flow before each of the seven steps, in order, with the clock paused.

The suite's gate is driven as the window's Next button drives it: wait until
a step is held, check what is held and that the session is still pending and
the clock stands still, release, repeat. Leaving step mode lets the rest go.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from core.step_gate import HeldStep, StepGate
from simulators.login_client import LoginClient, LoginStarted
from simulators.phone import AutoAction, AutoResponsePolicy
from simulators.suite import Suite
from tests.e2e.flow import PASSWORD


async def next_held(gate: StepGate) -> HeldStep:
    """The oldest held step, once there is one (woken by the gate, not by polling)."""
    changed = asyncio.Event()
    unsubscribe = gate.on_change(changed.set)
    try:
        async with asyncio.timeout(15):
            while not gate.held:
                changed.clear()
                await changed.wait()
    finally:
        unsubscribe()
    return gate.held[0]


@asynccontextmanager
async def step_mode_login(
    suite: Suite,
) -> AsyncIterator[tuple[LoginClient, asyncio.Task[LoginStarted]]]:
    """Step mode on, alice's phone auto-approving, her login started (and held at once)."""
    phone = suite.phone_for("alice")
    await suite.set_auto_responder(phone, AutoResponsePolicy(action=AutoAction.APPROVE))
    suite.gate.set_enabled(True)
    async with LoginClient(suite.core.url, suite.pki.ca_file, gate=suite.gate) as client:
        yield client, asyncio.create_task(client.login("alice", "demo", "push" + PASSWORD))


async def session_status(http: httpx.AsyncClient, request_id: str) -> str:
    return str((await http.get(f"/v1/sessions/{request_id}")).json()["sessionStatus"])


async def test_the_flow_waits_before_each_step_and_the_session_stays_pending(
    suite: Suite, http: httpx.AsyncClient
) -> None:
    gate = suite.gate
    async with step_mode_login(suite) as (client, login):
        seen: list[int] = []
        request_id: str | None = None
        for expected in range(1, 8):
            held = await next_held(gate)
            assert held.step == expected, f"held before step {held.step}, expected {expected}"
            assert suite.clock.paused, "nothing expires while the flow is held"
            if held.request_id is not None:
                request_id = held.request_id
                assert await session_status(http, request_id) in ("pending", "unknown")
            seen.append(held.step)
            frozen = suite.clock.now()
            assert suite.clock.now() == frozen
            gate.release()
        assert seen == [1, 2, 3, 4, 5, 6, 7]
        started = await login
        assert started.request_id == request_id
        decided = await client.wait_decided(started.request_id, timeout=15)
        assert decided.status == "accepted"
        assert not suite.clock.paused
    gate.set_enabled(False)


async def test_leaving_step_mode_lets_a_held_login_finish(
    suite: Suite, http: httpx.AsyncClient
) -> None:
    gate = suite.gate
    async with step_mode_login(suite) as (client, login):
        gate.release()  # nothing held yet: no effect
        assert (await next_held(gate)).step == 1
        gate.release()
        assert (await next_held(gate)).step == 2
        gate.set_enabled(False)
        started = await login
        decided = await client.wait_decided(started.request_id, timeout=15)
        assert decided.status == "accepted"
