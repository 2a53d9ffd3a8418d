"""The phone publishes a frozen PhoneView after each state change; describe() reads it."""

from __future__ import annotations

import asyncio
import itertools

from core.events import Event, EventBus
from core.protocol.keys import UnlockProtection
from simulators.phone.event_kinds import PhoneEvent
from simulators.phone.phone import Phone
from simulators.phone.views import PhoneView, PhoneViewChanged, describe_phone_view
from tests.simulators.phone.conftest import ActivatePhone, MakePhone, receive
from tests.simulators.phone.fakes import FakeCore


def views_of(bus: EventBus, phone: Phone) -> list[PhoneView]:
    return [
        event.details.view
        for event in bus.history
        if event.source == phone.source
        and event.kind == PhoneEvent.VIEW_CHANGED
        and isinstance(event.details, PhoneViewChanged)
    ]


async def test_a_started_activated_phone_published_its_views(
    activate_phone: ActivatePhone, bus: EventBus
) -> None:
    phone = await activate_phone()
    latest = views_of(bus, phone)[-1]
    assert latest == phone.view()
    assert latest.app.activated
    assert latest.app.status == "active"
    assert latest.app.push_registered
    assert latest.delivery == "online"
    assert latest.online
    assert latest.sensor.enrolled == ("right-index",)


async def test_each_change_publishes_one_new_view_and_repeats_none(
    activate_phone: ActivatePhone, core: FakeCore, bus: EventBus
) -> None:
    phone = await activate_phone()
    before = len(views_of(bus, phone))
    phone.set_airplane_mode(True)
    views = views_of(bus, phone)[before:]
    assert views
    assert views[-1].airplane_mode
    assert views[-1].delivery == "offline"
    assert not views[-1].online
    assert all(a != b for a, b in itertools.pairwise(views))
    phone.set_airplane_mode(False)
    assert phone.app.serial is not None
    notification_id = await receive(bus, phone, core.login(phone.app.serial))
    latest = views_of(bus, phone)[-1]
    assert latest.shown_notification is not None
    assert latest.shown_notification.id == notification_id
    assert latest.answerable_count == 1


async def test_the_unlock_prompt_is_in_the_view(
    activate_phone: ActivatePhone, core: FakeCore, bus: EventBus
) -> None:
    phone = await activate_phone()
    assert phone.app.serial is not None
    request_id = core.login(phone.app.serial, protection=UnlockProtection.PIN)
    notification_id = await receive(bus, phone, request_id)

    def prompted(event: Event) -> bool:
        details = event.details
        return isinstance(details, PhoneViewChanged) and details.view.prompt is not None

    task = asyncio.create_task(phone.approve(notification_id))
    event = await bus.wait_for(prompted, timeout=5.0)
    assert isinstance(event.details, PhoneViewChanged)
    prompt = event.details.view.prompt
    assert prompt is not None
    assert (prompt.notification_id, prompt.required, prompt.offered) == (
        notification_id,
        "pin",
        ("pin",),
    )
    phone.cancel_unlock()
    await asyncio.gather(task, return_exceptions=True)


def test_describe_is_the_view_as_data(make_phone: MakePhone) -> None:
    phone = make_phone()
    described = phone.describe()
    assert described == describe_phone_view(phone.view()) | {"clock": described["clock"]}
    assert described["app"]["installed"] is True
    assert described["online"] is False
