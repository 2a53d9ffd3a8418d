"""Typed phone event details: fields for readers, the same mapping for the audit log."""

from __future__ import annotations

import asyncio

from core.events import EventBus
from core.protocol.keys import UnlockProtection
from simulators.phone.event_details import PushTokenDetails, UnlockSucceeded
from tests.simulators.phone.conftest import PIN, ActivatePhone, receive, wait_for
from tests.simulators.phone.fakes import FakeCore


async def test_token_kinds_carry_the_token_as_a_field_and_a_key(
    activate_phone: ActivatePhone, bus: EventBus
) -> None:
    phone = await activate_phone()
    for kind in ("phone.push.token", "phone.delivery.online"):
        details = (await wait_for(bus, kind, phone)).details
        assert isinstance(details, PushTokenDetails)
        assert details.token == phone.app.state.push_token
        assert dict(details) == {"token": details.token}


async def test_an_unlock_reports_method_and_protection(
    activate_phone: ActivatePhone, core: FakeCore, bus: EventBus
) -> None:
    phone = await activate_phone()
    assert phone.app.serial is not None
    notification_id = await receive(
        bus, phone, core.login(phone.app.serial, protection=UnlockProtection.PIN)
    )
    approval = asyncio.create_task(phone.approve(notification_id))
    await wait_for(bus, "phone.unlock.prompt", phone)
    await phone.unlock_with_pin(PIN)
    await approval
    details = (await wait_for(bus, "phone.unlock.succeeded", phone)).details
    assert details == UnlockSucceeded(method="pin", protection="pin")
    assert dict(details) == {"method": "pin", "protection": "pin"}
