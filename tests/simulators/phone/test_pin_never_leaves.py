"""The PIN never leaves the phone: not in events, logs, requests or the storage file."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest

from core.events import EventBus
from core.protocol.keys import UnlockProtection
from simulators.phone.auto_responder import AutoAction, AutoResponsePolicy
from simulators.phone.core_client import HttpCoreDeviceApi
from simulators.phone.errors import WrongPin
from simulators.phone.unlock import Finger, Pin
from tests.simulators.phone.conftest import AutoRespond, MakePhone, receive, wait_for
from tests.simulators.phone.fake_http import http_transport
from tests.simulators.phone.fakes import FakeCore, FakeDelivery

# Eight digits: a chance match inside hex or 16-digit signatures is negligible.
PIN = "73920164"
WRONG_PIN = "51847203"
NEW_PIN = "96025813"


async def test_no_pin_in_any_event_request_log_or_file(
    make_phone: MakePhone,
    auto_respond: AutoRespond,
    core: FakeCore,
    delivery: FakeDelivery,
    bus: EventBus,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    recorded: list[httpx.Request] = []
    client = httpx.AsyncClient(transport=http_transport(core, recorded))
    phone = make_phone(core_api=HttpCoreDeviceApi("https://127.0.0.1:1", client=client))
    await phone.start()
    _, message1, password = core.register_user()
    serial = await phone.activate(message1, password, pin=PIN)
    await wait_for(bus, "phone.delivery.online", phone)

    # A PIN approval, a wrong PIN, a fingerprint lockout with PIN fallback.
    first = await receive(bus, phone, core.login(serial, protection=UnlockProtection.PIN))
    with pytest.raises(WrongPin):
        await phone.approve(first, unlock=Pin(WRONG_PIN))
    assert (await phone.approve(first, unlock=Pin(PIN))).decided
    second = await receive(bus, phone, core.login(serial, protection=UnlockProtection.FINGERPRINT))
    approval = asyncio.create_task(phone.approve(second))
    await wait_for(bus, "phone.unlock.prompt", phone)
    for _ in range(5):
        with pytest.raises(Exception, match="fingerprint"):
            await phone.unlock_with_finger("left-little")
    await phone.unlock_with_pin(PIN)
    assert (await approval).decided
    assert await phone.poll() is None  # a signed GET, too
    # A PIN change, then the auto-responder with the new PIN.
    assert await phone.change_pin(PIN, NEW_PIN)
    auto_respond(phone, AutoResponsePolicy(action=AutoAction.APPROVE, pin=NEW_PIN))
    third = core.login(serial, protection=UnlockProtection.PIN)
    answered = await wait_for(
        bus, "phone.autoresponder.answered", phone, where=lambda e: e.request_id == third
    )
    assert answered.details["sessionStatus"] == "accepted"
    await phone.stop()
    await client.aclose()

    secrets_typed = (PIN, WRONG_PIN, NEW_PIN)
    events = [repr(event) for event in bus.history]
    requests = [
        f"{request.method} {request.url} {dict(request.headers)} {request.content.decode()}"
        for request in recorded
    ]
    elsewhere = [repr(call) for call in core.calls + delivery.calls]
    logs = [record.getMessage() for record in caplog.records]
    stored = phone.storage.path.read_text()
    assert len(events) > 30
    assert len(requests) == 7
    for pin in secrets_typed:
        for where, texts in (
            ("events", events),
            ("requests", requests),
            ("calls", elsewhere),
            ("logs", logs),
            ("storage", [stored]),
        ):
            leaks = [text for text in texts if pin in text]
            assert not leaks, f"PIN found in {where}: {leaks[:1]}"


def test_reprs_hide_the_pin() -> None:
    assert PIN not in repr(Pin(PIN))
    assert PIN not in str(Pin(PIN))
    assert PIN not in repr(AutoResponsePolicy(action=AutoAction.APPROVE, pin=PIN))
    assert "right-index" in repr(Finger("right-index"))
