"""Play validated scenarios against a real suite on loopback, in parallel, isolated.

Isolation: every scenario gets its own ``Suite`` — its own workspace folder
(copied from one template built per run, so the CA and provider keys are
generated once), its own SQLite database, its own core and mock servers on
fresh 127.0.0.1 ports, its own event bus and its own clock. Nothing is
shared but the process and its event loop, so scenarios cannot see each
other's users, sessions, faults or clock jumps, and up to ``jobs`` of them run
at the same time.

Determinism: the run's seed (``--seed``, else the scenario's ``seed``, else
0) seeds both mocks' fault plans, the generated passwords and the tampered
byte, so the same seed replays the same run.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from core.clock import SystemClock
from core.service.errors import Conflict, ServiceError
from core.settings import FAST_TEST_SETTINGS
from core.workspace import Workspace
from simulators.delivery.control_client import FaultControl
from simulators.login_client import LoginClient
from simulators.phone import AutoAction, AutoResponsePolicy, KdfParams, Platform
from simulators.phone.errors import PhoneError
from simulators.scenarios import expectations, steps_attack, steps_core, steps_phone
from simulators.scenarios.arguments import DEFAULT_JOBS
from simulators.scenarios.model import Scenario
from simulators.scenarios.steps_core import add_fault, apply_domain
from simulators.scenarios.world import DOMAIN, Outcome, StepFailed, StepRunner, World
from simulators.suite import Suite, SuiteOptions

STEPS: dict[str, StepRunner] = {
    **steps_core.STEPS,
    **steps_phone.STEPS,
    **steps_attack.STEPS,
    **expectations.STEPS,
}
# Scenarios test the protocol, not the hash: cheap password and PIN hashing.
SETTINGS = replace(FAST_TEST_SETTINGS, expiry_sweep_interval=0.1)
PHONE_KDF = KdfParams(n=2**4)


@dataclass
class ScenarioResult:
    path: Path
    name: str
    seconds: float = 0.0
    outcomes: list[Outcome] = field(default_factory=list)
    error: str | None = None  # the step that could not run, or a timeout

    @property
    def passed(self) -> bool:
        return self.error is None and all(o.passed for o in self.outcomes)

    @property
    def expectations(self) -> tuple[int, int]:
        """(held, written) expectations."""
        mine = [o for o in self.outcomes if o.expectation]
        return sum(o.passed for o in mine), len(mine)

    def failures(self) -> list[str]:
        found = [f"line {o.line}: {o.action}: {o.message}" for o in self.outcomes if not o.passed]
        return [*found, self.error] if self.error else found

    def to_dict(self) -> dict[str, Any]:
        held, written = self.expectations
        return {
            "file": str(self.path),
            "name": self.name,
            "passed": self.passed,
            "seconds": round(self.seconds, 3),
            "expectations": {"held": held, "written": written},
            "error": self.error,
            "steps": [o.to_dict() for o in self.outcomes],
        }


def suite_options() -> SuiteOptions:
    return SuiteOptions(core_settings=SETTINGS, phone_kdf=PHONE_KDF, with_phones=False)


async def build_template(root: Path) -> Path:
    """A started-once workspace (CA, provider credentials, demo domain) to copy per scenario."""
    suite = Suite(Workspace(root), options=suite_options())
    await suite.start()
    await suite.stop()
    return root


async def _set_up(world: World) -> None:
    scenario = world.scenario
    await world.faults.seed(world.seed)
    await apply_domain(world, dict(scenario.domain))
    directory = world.suite.core.service.directory
    for user in scenario.users:
        password = user.password or f"{user.id}-{world.rng.randrange(10**8):08d}"
        world.users[user.id], world.passwords[user.id] = user, password
        try:
            await directory.create_user(user.id, DOMAIN, password)
        except Conflict:  # a demo user: give it the scenario's password
            await directory.update_user(user.id, DOMAIN, password=password, locked=False)
    for spec in scenario.phones:
        phone = world.suite.phones.get(spec.name) or await world.suite.add_phone(
            spec.name, Platform(spec.platform), fingers=spec.fingers
        )  # a live suite may run the phone already (a second play)
        world.phones[spec.name], world.phone_specs[spec.name] = phone, spec
        if spec.user is not None:
            await steps_phone.activate_as(world, phone, spec.user, spec.pin)
        if spec.auto is not None:
            policy = AutoResponsePolicy(
                action=AutoAction(spec.auto),
                pin=spec.pin,
                finger=spec.fingers[0] if spec.fingers else None,
            )
            await world.suite.set_auto_responder(phone, policy)
    for fault in scenario.faults:
        await add_fault(world, dict(fault))


OutcomeHandler = Callable[[Outcome], None]


async def _play(
    world: World,
    result: ScenarioResult,
    *,
    pace: Callable[[], Awaitable[None]] | None = None,
    on_outcome: OutcomeHandler | None = None,
) -> None:
    def report(outcome: Outcome) -> None:
        result.outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)

    try:
        await _set_up(world)
    except StepFailed as exc:
        result.error = f"setup: {exc}"
        return
    for step in world.scenario.steps:
        if pace is not None and step.index > 0:
            await pace()
        is_expectation = step.action.startswith("expect")
        try:
            await STEPS[step.action](world, step)
        except (StepFailed, PhoneError, ServiceError) as exc:  # the others crash the scenario
            message = str(exc) if isinstance(exc, StepFailed) else f"{type(exc).__name__}: {exc}"
            report(Outcome(step.line, step.action, False, message, expectation=is_expectation))
            if not is_expectation:
                result.error = f"line {step.line}: {step.action} could not run; scenario stopped"
                return
        else:
            report(Outcome(step.line, step.action, True, expectation=is_expectation))


@asynccontextmanager
async def _world_on(suite: Suite, scenario: Scenario, seed: int | None) -> AsyncIterator[World]:
    """A scenario's world on a started suite; closes its clients and faults after."""
    run_seed = seed if seed is not None else (scenario.seed or 0)
    async with AsyncExitStack() as stack:
        login = LoginClient(suite.core.url, suite.pki.ca_file)
        stack.push_async_callback(login.aclose)
        faults = FaultControl(suite)
        stack.push_async_callback(faults.aclose)
        world = World(scenario, suite, login, faults, run_seed)
        stack.callback(world.record_responses())
        yield world


async def _timed(
    scenario: Scenario, result: ScenarioResult, body: Callable[[], Awaitable[None]]
) -> ScenarioResult:
    """Run ``body`` within the scenario's timeout; a crash is a failed scenario."""
    began = time.perf_counter()
    try:
        async with asyncio.timeout(scenario.timeout):
            await body()
    except TimeoutError:
        result.error = f"the scenario took longer than its timeout ({scenario.timeout:g} s)"
    except Exception as exc:  # a crash is a failed scenario, not a failed run
        result.error = f"{type(exc).__name__}: {exc}"
    result.seconds = time.perf_counter() - began
    return result


async def run_scenario(
    scenario: Scenario, template: Path, *, seed: int | None = None
) -> ScenarioResult:
    """Play ``scenario`` on a fresh suite of its own (see the module's isolation)."""
    result = ScenarioResult(path=scenario.path, name=scenario.name)

    async def body() -> None:
        with tempfile.TemporaryDirectory(prefix="pushsim-scenario-") as folder:
            root = Path(folder) / "workspace"
            await asyncio.to_thread(shutil.copytree, template, root)
            suite = Suite(Workspace(root), clock=SystemClock(), options=suite_options())
            async with AsyncExitStack() as stack:
                await suite.start()
                stack.push_async_callback(suite.stop)
                world = await stack.enter_async_context(_world_on(suite, scenario, seed))
                await _play(world, result)

    return await _timed(scenario, result, body)


STEP_DELAY = 0.8  # seconds between steps at speed 1 (a viewer can follow)


async def play_on(
    suite: Suite,
    scenario: Scenario,
    *,
    seed: int | None = None,
    speed: float | None = 1.0,
    on_outcome: OutcomeHandler | None = None,
) -> ScenarioResult:
    """Play ``scenario`` on a started, shared ``suite`` (the window's), paced for a viewer.

    The same set-up and step table as ``run_scenario``, but no isolation: the
    scenario's users, phones and domain settings stay in the suite (its faults
    are cleared when it ends). ``speed`` divides ``STEP_DELAY`` between steps
    (``None`` or 0: no pause); each outcome goes to ``on_outcome`` as it happens.
    """
    result = ScenarioResult(path=scenario.path, name=scenario.name)
    delay = STEP_DELAY / speed if speed else 0.0

    async def pace() -> None:
        await asyncio.sleep(delay)

    async def body() -> None:
        async with _world_on(suite, scenario, seed) as world:
            try:
                await _play(world, result, pace=pace if delay else None, on_outcome=on_outcome)
            finally:
                if scenario.faults or any(s.action == "inject_fault" for s in scenario.steps):
                    await world.faults.clear()  # the shared suite goes on without them

    return await _timed(scenario, result, body)


async def run_scenarios(
    scenarios: Sequence[Scenario],
    *,
    seed: int | None = None,
    jobs: int = DEFAULT_JOBS,
    on_done: Callable[[ScenarioResult], None] | None = None,
) -> list[ScenarioResult]:
    """Run every scenario (at most ``jobs`` at once); results in the order given."""
    gate = asyncio.Semaphore(max(1, jobs))
    with tempfile.TemporaryDirectory(prefix="pushsim-template-") as folder:
        template = await build_template(Path(folder) / "workspace")

        async def one(scenario: Scenario) -> ScenarioResult:
            async with gate:
                result = await run_scenario(scenario, template, seed=seed)
            if on_done is not None:
                on_done(result)
            return result

        return list(await asyncio.gather(*(one(s) for s in scenarios)))
