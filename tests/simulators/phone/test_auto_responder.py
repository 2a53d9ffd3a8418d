"""The auto-responder answers by policy: approve, reject or ignore."""

from __future__ import annotations

import pytest

from core.events import EventBus
from core.protocol.keys import UnlockProtection
from core.protocol.session import SessionStatus
from simulators.phone.auto_responder import AutoAction, AutoResponsePolicy
from simulators.phone.phone import Phone
from tests.simulators.phone.conftest import PIN, ActivatePhone, AutoRespond, wait_for
from tests.simulators.phone.fakes import FakeCore


async def _answered(bus: EventBus, phone: Phone, request_id: str) -> str:
    event = await wait_for(
        bus,
        "phone.autoresponder.answered",
        phone,
        where=lambda e: e.request_id == request_id,
    )
    status = event.details["sessionStatus"]
    assert isinstance(status, str)
    return status


@pytest.mark.parametrize(
    "required", [UnlockProtection.DEVICE, UnlockProtection.PIN, UnlockProtection.FINGERPRINT]
)
async def test_approves_with_the_unlock_each_protection_needs(
    activate_phone: ActivatePhone,
    auto_respond: AutoRespond,
    core: FakeCore,
    bus: EventBus,
    required: UnlockProtection,
) -> None:
    phone = await activate_phone()
    auto_respond(
        phone,
        AutoResponsePolicy(action=AutoAction.APPROVE, pin=PIN, finger="right-index", delay=0.01),
    )
    assert phone.app.serial is not None
    request_id = core.login(phone.app.serial, protection=required)
    assert await _answered(bus, phone, request_id) == "accepted"
    verdict = core.last_verdict(request_id)
    assert verdict.response is not None
    assert verdict.response.protection is required


async def test_falls_back_to_the_pin_when_biometrics_are_locked_out(
    activate_phone: ActivatePhone, auto_respond: AutoRespond, core: FakeCore, bus: EventBus
) -> None:
    phone = await activate_phone(max_finger_mismatches=1)
    auto_respond(
        phone, AutoResponsePolicy(action=AutoAction.APPROVE, pin=PIN, finger="left-thumb")
    )  # left-thumb is not enrolled: one mismatch locks biometrics out
    assert phone.app.serial is not None
    request_id = core.login(phone.app.serial, protection=UnlockProtection.FINGERPRINT)
    assert await _answered(bus, phone, request_id) == "accepted"
    verdict = core.last_verdict(request_id)
    assert verdict.response is not None
    assert verdict.response.protection is UnlockProtection.PIN


async def test_rejects(
    activate_phone: ActivatePhone, auto_respond: AutoRespond, core: FakeCore, bus: EventBus
) -> None:
    phone = await activate_phone()
    auto_respond(phone, AutoResponsePolicy(action=AutoAction.REJECT))
    assert phone.app.serial is not None
    request_id = core.login(phone.app.serial, protection=UnlockProtection.PIN)
    assert await _answered(bus, phone, request_id) == "refused"
    assert core.status(request_id) is SessionStatus.REFUSED


async def test_ignores(
    activate_phone: ActivatePhone, auto_respond: AutoRespond, core: FakeCore, bus: EventBus
) -> None:
    phone = await activate_phone()
    auto_respond(phone, AutoResponsePolicy(action=AutoAction.IGNORE))
    assert phone.app.serial is not None
    request_id = core.login(phone.app.serial)
    event = await wait_for(bus, "phone.autoresponder.ignored", phone)
    assert event.request_id == request_id
    assert "post_response" not in [name for name, _ in core.calls]
    assert core.status(request_id) is SessionStatus.PENDING
    notification = phone.notification_for(request_id)
    assert notification is not None
    assert notification.answerable


async def test_picks_the_number_it_is_told(
    activate_phone: ActivatePhone, auto_respond: AutoRespond, core: FakeCore, bus: EventBus
) -> None:
    phone = await activate_phone()
    auto_respond(
        phone, AutoResponsePolicy(action=AutoAction.APPROVE, choose_number=lambda request: 42)
    )
    assert phone.app.serial is not None
    request_id = core.login(phone.app.serial, numbers=(17, 42, 93), number=42)
    assert await _answered(bus, phone, request_id) == "accepted"


async def test_says_why_it_cannot_answer(
    activate_phone: ActivatePhone, auto_respond: AutoRespond, core: FakeCore, bus: EventBus
) -> None:
    phone = await activate_phone()
    responder = auto_respond(phone, AutoResponsePolicy(action=AutoAction.APPROVE))  # no PIN
    assert phone.app.serial is not None
    request_id = core.login(phone.app.serial, protection=UnlockProtection.PIN)
    failed = await wait_for(bus, "phone.autoresponder.failed", phone)
    assert "no way to unlock pin" in failed.summary
    assert core.status(request_id) is SessionStatus.PENDING
    await responder.stop()
    assert not responder.running
    assert phone.auto_response is None


def test_policy_validation() -> None:
    with pytest.raises(ValueError, match="4-8 digits"):
        AutoResponsePolicy(action=AutoAction.APPROVE, pin="12")
    with pytest.raises(ValueError, match="negative"):
        AutoResponsePolicy(action=AutoAction.REJECT, delay=-1)


async def test_polls_for_requests_whose_push_was_lost(
    activate_phone: ActivatePhone, auto_respond: AutoRespond, core: FakeCore, bus: EventBus
) -> None:
    phone = await activate_phone()
    auto_respond(phone, AutoResponsePolicy(action=AutoAction.APPROVE, pin=PIN, poll_interval=0.01))
    assert phone.app.serial is not None
    request_id = core.login(phone.app.serial, protection=UnlockProtection.PIN, push=False)
    assert await _answered(bus, phone, request_id) == "accepted"
    core.allow_polling = False
    refused = await wait_for(bus, "phone.autoresponder.poll_refused", phone)
    assert "polling is not allowed" in refused.summary
