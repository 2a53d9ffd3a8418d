"""What one running scenario holds: its suite, its names and what it has seen so far.

A ``World`` is built per scenario by the runner. Step implementations
(``steps_*.py``) read and change it; they never reach around it to the suite's
demo data. A step that cannot do what it says raises ``StepFailed`` (the
scenario stops there); an expectation that does not hold is recorded as an
``Outcome`` and the scenario goes on, so a report shows every broken promise.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from core.clock import SystemClock
from core.events import Event
from core.seed import ANDROID_APP_ID, DEMO_DOMAIN, IOS_APP_ID, DemoUser
from simulators.delivery.control_client import FaultControl
from simulators.login_client import LoginClient
from simulators.phone import Phone
from simulators.phone.event_kinds import PhoneEvent
from simulators.phone.unlock import UnlockInput
from simulators.scenarios.model import PhoneSpec, Scenario, Step, UserSpec
from simulators.suite import Suite

DOMAIN = DEMO_DOMAIN


class StepFailed(Exception):
    """A step could not do what it says; the scenario stops at its line."""


@dataclass
class Outcome:
    """One step's result as reports show it."""

    line: int
    action: str
    passed: bool
    message: str = ""
    expectation: bool = False

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class SessionRef:
    request_id: str
    user: str
    number: int | None = None  # the number the login showed (number matching)


@dataclass
class PendingUnlock:
    given: UnlockInput
    step: Step


@dataclass
class World:
    scenario: Scenario
    suite: Suite
    login: LoginClient
    faults: FaultControl
    seed: int
    users: dict[str, UserSpec] = field(default_factory=dict)
    passwords: dict[str, str] = field(default_factory=dict)
    phones: dict[str, Phone] = field(default_factory=dict)
    phone_specs: dict[str, PhoneSpec] = field(default_factory=dict)
    sessions: dict[str, SessionRef] = field(default_factory=dict)
    unlocks: dict[str, list[PendingUnlock]] = field(default_factory=dict)
    last_response: dict[str, tuple[str, str]] = field(default_factory=dict)  # phone -> serial, raw
    domain: dict[str, Any] = field(default_factory=dict)
    outcomes: list[Outcome] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)  # noqa: S311 - reproducible, not secret

    @property
    def clock(self) -> SystemClock:
        clock = self.suite.clock
        assert isinstance(clock, SystemClock), "scenarios run on an adjustable clock"
        return clock

    # -- names -------------------------------------------------------------
    def phone(self, step: Step) -> Phone:
        return self.phones[str(step.get("phone"))]

    def session(self, step: Step, key: str = "session") -> SessionRef:
        alias = str(step.get(key, "last"))
        found = self.sessions.get(alias)
        if found is None:
            raise StepFailed(f"session {alias!r} was never started (its login failed?)")
        return found

    def serial(self, phone: Phone) -> str:
        enrollment = phone.app.state.enrollment
        if enrollment is None:
            raise StepFailed(f"phone {phone.name} is not activated")
        return enrollment.serial

    def demo_user(self, user_id: str, spec: PhoneSpec) -> DemoUser:
        """The seed's user description the suite's activation takes."""
        return DemoUser(
            user_id=user_id,
            platform=spec.platform,
            app_kind=spec.app,
            app_id=ANDROID_APP_ID if spec.platform == "android" else IOS_APP_ID,
            keywords=tuple(self.domain.get("keywords", {})),
        )

    # -- waiting on the phones ----------------------------------------------
    async def wait_phone(self, predicate: Callable[[], bool], within: float, what: str) -> None:
        """Until ``predicate()`` holds (checked on each event); ``StepFailed`` after ``within``."""
        if predicate():
            return
        try:
            await self.suite.events.wait_for(lambda _: predicate(), timeout=within)
        except TimeoutError:
            raise StepFailed(f"{what} did not happen within {within:g} s") from None

    def record_responses(self) -> Callable[[], None]:
        """Keep each phone's last posted response (for replay and tamper steps)."""
        by_source = {phone.source: name for name, phone in self.phones.items()}

        def seen(event: Event) -> None:
            name = by_source.get(event.source)
            if name is None:
                by_source.update({p.source: n for n, p in self.phones.items()})
                name = by_source.get(event.source)
            if event.kind == PhoneEvent.RESPONSE_SENT and event.raw and name is not None:
                self.last_response[name] = (self.serial(self.phones[name]), event.raw)

        return self.suite.events.subscribe(seen)


StepRunner = Callable[[World, Step], Awaitable[None]]


def expect_http(step: Step, got: int, what: str) -> None:
    """The step's ``expect_http`` (or any 2xx) against the status a call got."""
    wanted = step.get("expect_http")
    if wanted is None:
        if not 200 <= got < 300:
            raise StepFailed(f"{what} got HTTP {got}")
    elif got != wanted:
        raise StepFailed(f"{what} got HTTP {got}, expected {wanted}")
