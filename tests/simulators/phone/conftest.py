"""Fixtures: a frozen clock, an event bus, the fakes, and phones built on them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from core.clock import FrozenClock
from core.events import Event, EventBus
from core.workspace import Workspace
from simulators.phone.auto_responder import (
    AutoResponder,
    AutoResponsePolicy,
    start_auto_responder,
)
from simulators.phone.core_client import CoreDeviceApi
from simulators.phone.identity import AppInfo, AppKind, Platform
from simulators.phone.keystore import KdfParams
from simulators.phone.phone import Phone
from simulators.phone.push_delivery import PushDelivery
from tests.simulators.phone.fakes import FakeCore, FakeDelivery

PIN = "482916"
# Cheap scrypt for tests; the cost is stored with the key, so reloads agree.
TEST_KDF = KdfParams(n=2**4, r=8, p=1)

MakePhone = Callable[..., Phone]
ActivatePhone = Callable[..., Awaitable[Phone]]
AutoRespond = Callable[[Phone, AutoResponsePolicy], AutoResponder]


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def bus() -> EventBus:
    return EventBus()


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path / "ws").ensure()


@pytest.fixture
def delivery() -> FakeDelivery:
    return FakeDelivery()


@pytest.fixture
def core(clock: FrozenClock, delivery: FakeDelivery) -> FakeCore:
    return FakeCore(clock=clock, delivery=delivery)


@pytest.fixture
async def make_phone(
    workspace: Workspace, bus: EventBus, clock: FrozenClock, core: FakeCore, delivery: FakeDelivery
) -> AsyncIterator[MakePhone]:
    fake_delivery = delivery
    phones: list[Phone] = []

    def make(
        name: str = "pixel",
        *,
        platform: Platform = Platform.ANDROID,
        kind: AppKind = AppKind.SDK,
        fingers: Sequence[str] = ("right-index",),
        core_api: CoreDeviceApi | None = None,
        delivery: PushDelivery | None = None,
        **kwargs: Any,
    ) -> Phone:
        phone = Phone(
            name=name,
            platform=platform,
            workspace=workspace,
            events=bus,
            clock=clock,
            core=core_api or core,
            delivery=delivery or fake_delivery,
            app=AppInfo.demo(platform, kind),
            fingers=fingers,
            kdf=TEST_KDF,
            **kwargs,
        )
        phones.append(phone)
        return phone

    yield make
    for phone in phones:
        await phone.stop()


@pytest.fixture
async def auto_respond() -> AsyncIterator[AutoRespond]:
    """Attach auto-responders as the suite does; they are stopped after the test."""
    responders: list[AutoResponder] = []

    def attach(phone: Phone, policy: AutoResponsePolicy) -> AutoResponder:
        responders.append(start_auto_responder(phone, policy))
        return responders[-1]

    yield attach
    for responder in responders:
        await responder.stop()


@pytest.fixture
def activate_phone(make_phone: MakePhone, core: FakeCore, bus: EventBus) -> ActivatePhone:
    """A started phone, activated for alice@demo and holding its delivery stream."""

    async def activate(name: str = "pixel", *, pin: str = PIN, **kwargs: Any) -> Phone:
        phone = make_phone(name, **kwargs)
        await phone.start()
        _, message1, password = core.register_user()
        await phone.activate(message1, password, pin=pin)
        await wait_for(bus, "phone.delivery.online", phone)
        return phone

    return activate


async def wait_for(
    bus: EventBus,
    kind: str,
    phone: Phone | None = None,
    *,
    history: bool = True,
    where: Callable[[Event], bool] | None = None,
) -> Event:
    """The first (past or future) event of ``kind`` from ``phone`` matching ``where``."""

    def match(event: Event) -> bool:
        return (
            event.kind == kind
            and (phone is None or event.source == phone.source)
            and (where is None or where(event))
        )

    return await bus.wait_for(match, timeout=5.0, include_history=history)


async def receive(bus: EventBus, phone: Phone, request_id: str) -> str:
    """Wait until ``request_id`` reached ``phone``; returns the notification ID."""
    event = await wait_for(
        bus, "phone.notification.received", phone, where=lambda e: e.request_id == request_id
    )
    notification_id = event.details["id"]
    assert isinstance(notification_id, str)
    return notification_id
