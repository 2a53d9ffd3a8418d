"""Step mode's gate: holds in order, releases on Next or when step mode ends, pauses the clock."""

from __future__ import annotations

import asyncio

import pytest

from core.clock import SystemClock
from core.step_gate import NO_GATE, HeldStep, StepGate


async def test_an_open_gate_never_holds() -> None:
    gate = StepGate()
    await asyncio.wait_for(gate.reach(1), 1)
    await asyncio.wait_for(NO_GATE.reach(7, "r1"), 1)


async def test_held_steps_go_on_one_next_at_a_time_in_arrival_order() -> None:
    clock = SystemClock()
    gate = StepGate(clock)
    gate.set_enabled(True)
    passed: list[int] = []

    async def part(step: int) -> None:
        await gate.reach(step, "r1")
        passed.append(step)

    changed = asyncio.Event()
    gate.on_change(changed.set)
    first = asyncio.create_task(part(2))
    await changed.wait()
    second = asyncio.create_task(part(3))
    changed.clear()
    await changed.wait()
    assert gate.held == (HeldStep(2, "r1"), HeldStep(3, "r1"))
    assert clock.paused, "nothing expires while the trainer talks"
    assert passed == []
    assert gate.release() == HeldStep(2, "r1")
    await first
    assert passed == [2]
    assert clock.paused, "step 3 still waits"
    gate.release()
    await second
    assert passed == [2, 3]
    assert not clock.paused
    assert gate.release() is None


async def test_leaving_step_mode_releases_everything() -> None:
    gate = StepGate(SystemClock())
    gate.set_enabled(True)
    changed = asyncio.Event()
    gate.on_change(changed.set)
    held = [asyncio.create_task(gate.reach(step)) for step in (1, 4)]
    while len(gate.held) < 2:
        changed.clear()
        await changed.wait()
    gate.set_enabled(False)
    await asyncio.wait_for(asyncio.gather(*held), 1)
    assert gate.held == ()


async def test_a_cancelled_wait_leaves_the_gate_and_resumes_the_clock() -> None:
    clock = SystemClock()
    gate = StepGate(clock)
    gate.set_enabled(True)
    changed = asyncio.Event()
    gate.on_change(changed.set)
    task = asyncio.create_task(gate.reach(5))
    await changed.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert gate.held == ()
    assert not clock.paused


async def test_there_are_seven_steps() -> None:
    with pytest.raises(ValueError, match="1-7"):
        await StepGate().reach(8)


def test_a_paused_clock_keeps_the_time_left_to_a_deadline() -> None:
    clock = SystemClock()
    deadline = clock.now() + 60
    clock.pause()
    frozen = clock.now()
    assert clock.now() == frozen
    clock.advance(5)  # scenarios may still jump while paused
    assert clock.now() == frozen + 5
    clock.resume()
    assert deadline - clock.now() == pytest.approx(55, abs=0.5)
