"""Approve and reject: what the phone sends is judged by the real validate_response."""

from __future__ import annotations

import asyncio

import pytest

from core.events import EventBus
from core.protocol.keys import UnlockProtection
from core.protocol.messages import Decision
from core.protocol.secure_channel import Protection, peek_header
from core.protocol.session import Check, SessionStatus
from simulators.phone.errors import (
    AlreadyAnswered,
    NotificationNotFound,
    NumberChoiceError,
    RequestExpired,
    RequestUnusable,
    UnlockNotAllowed,
    WrongPin,
)
from simulators.phone.inbox import NotificationStatus
from simulators.phone.unlock import Finger, NoUnlock, Pin, UnlockInput
from tests.simulators.phone.conftest import PIN, ActivatePhone, receive, wait_for
from tests.simulators.phone.fakes import FakeCore


@pytest.mark.parametrize(
    ("required", "unlock"),
    [
        (UnlockProtection.DEVICE, None),
        (UnlockProtection.PIN, Pin(PIN)),
        (UnlockProtection.FINGERPRINT, Finger("right-index")),
    ],
)
async def test_approval_with_each_protection_is_accepted(
    activate_phone: ActivatePhone,
    core: FakeCore,
    bus: EventBus,
    required: UnlockProtection,
    unlock: UnlockInput | None,
) -> None:
    phone = await activate_phone()
    assert phone.app.serial is not None
    request_id = core.login(phone.app.serial, protection=required)
    notification_id = await receive(bus, phone, request_id)

    receipt = await phone.approve(notification_id, unlock=unlock)

    assert receipt.decided
    assert receipt.session_status == "accepted"
    verdict = core.last_verdict(request_id)
    assert verdict.failed is None
    assert verdict.outcome is SessionStatus.ACCEPTED
    assert all(check.passed for check in verdict.checks)
    assert verdict.response is not None
    assert verdict.response.protection is required
    assert verdict.response.decision is Decision.ACCEPT
    sent = await wait_for(
        bus, "phone.response.sent", phone, where=lambda e: e.request_id == request_id
    )
    assert sent.step == 6
    assert sent.raw is not None
    assert peek_header(sent.raw).protection is Protection.ENCRYPT_AND_MAC
    assert phone.notification(notification_id).status is NotificationStatus.APPROVED
    with pytest.raises(AlreadyAnswered):
        await phone.approve(notification_id, unlock=unlock)


async def test_stronger_unlock_than_required_is_fine(
    activate_phone: ActivatePhone, core: FakeCore, bus: EventBus
) -> None:
    phone = await activate_phone()
    assert phone.app.serial is not None
    request_id = core.login(phone.app.serial, protection=UnlockProtection.DEVICE)
    receipt = await phone.approve(await receive(bus, phone, request_id), unlock=Pin(PIN))
    assert receipt.session_status == "accepted"
    verdict = core.last_verdict(request_id)
    assert verdict.response is not None
    assert verdict.response.protection is UnlockProtection.PIN


async def test_nopin_approval_of_a_pin_login_is_refused_by_the_core(
    activate_phone: ActivatePhone, core: FakeCore, bus: EventBus
) -> None:
    phone = await activate_phone()
    assert phone.app.serial is not None
    request_id = core.login(phone.app.serial, protection=UnlockProtection.PIN)
    notification_id = await receive(bus, phone, request_id)
    with pytest.raises(UnlockNotAllowed):  # an honest app will not do it
        await phone.approve(notification_id, unlock=NoUnlock())

    phone.set_ignore_required_protection(True)  # a tampered app signs with the device key
    receipt = await phone.approve(notification_id, unlock=NoUnlock())

    assert receipt.session_status == "refused"
    verdict = core.last_verdict(request_id)
    assert verdict.failed is Check.PROTECTION_SUFFICIENT
    assert verdict.response is not None
    assert verdict.response.protection is UnlockProtection.DEVICE
    assert core.status(request_id) is SessionStatus.REFUSED


async def test_reject_needs_no_unlock_and_is_signed_with_the_device_key(
    activate_phone: ActivatePhone, core: FakeCore, bus: EventBus
) -> None:
    phone = await activate_phone()
    assert phone.app.serial is not None
    request_id = core.login(phone.app.serial, protection=UnlockProtection.PIN)
    notification_id = await receive(bus, phone, request_id)

    receipt = await phone.reject(notification_id)

    assert receipt.session_status == "refused"
    verdict = core.last_verdict(request_id)
    assert verdict.response is not None
    assert verdict.response.decision is Decision.REJECT
    assert verdict.response.protection is UnlockProtection.DEVICE
    assert verdict.failed is None  # every check passed: it is a genuine reject
    assert not any(e.kind == "phone.unlock.prompt" for e in bus.history)
    assert phone.notification(notification_id).status is NotificationStatus.REJECTED


async def test_interactive_prompt_retries_after_a_wrong_pin(
    activate_phone: ActivatePhone, core: FakeCore, bus: EventBus
) -> None:
    phone = await activate_phone()
    assert phone.app.serial is not None
    request_id = core.login(phone.app.serial, protection=UnlockProtection.PIN)
    notification_id = await receive(bus, phone, request_id)

    approval = asyncio.create_task(phone.approve(notification_id))
    prompt = await wait_for(bus, "phone.unlock.prompt", phone)
    assert prompt.details["offered"] == ["pin"]
    with pytest.raises(WrongPin):
        await phone.unlock_with_pin("00000000")
    assert not approval.done()
    assert await phone.unlock_with_pin(PIN) is UnlockProtection.PIN
    receipt = await approval
    assert receipt.session_status == "accepted"
    assert phone.app.prompt is None


async def test_number_matching(
    activate_phone: ActivatePhone, core: FakeCore, bus: EventBus
) -> None:
    phone = await activate_phone()
    serial = phone.app.serial
    assert serial is not None
    right = core.login(serial, numbers=(17, 42, 93), number=42)
    notification_id = await receive(bus, phone, right)
    assert phone.notification(notification_id).describe()["numbers"] == [17, 42, 93]
    with pytest.raises(NumberChoiceError):
        await phone.approve(notification_id)
    with pytest.raises(NumberChoiceError):
        await phone.approve(notification_id, number=55)
    assert (await phone.approve(notification_id, number=42)).session_status == "accepted"

    wrong = core.login(serial, numbers=(17, 42, 93), number=42)
    receipt = await phone.approve(await receive(bus, phone, wrong), number=93)
    assert receipt.session_status == "refused"
    assert core.last_verdict(wrong).failed is Check.NUMBER_MATCHES


async def test_request_behind_a_challenge_key_is_fetched_once(
    activate_phone: ActivatePhone, core: FakeCore, bus: EventBus
) -> None:
    phone = await activate_phone()
    assert phone.app.serial is not None
    request_id = core.login(
        phone.app.serial, by_challenge_key=True, title="Sign in to Payroll", subject="Approve?"
    )
    notification_id = await receive(bus, phone, request_id)
    assert phone.notification(notification_id).request is None

    opened = await phone.open_notification(notification_id)
    assert opened.request is not None
    assert opened.request.user_id == "alice"
    assert (opened.title, opened.subject) == ("Sign in to Payroll", "Approve?")
    assert (await phone.approve(notification_id)).session_status == "accepted"
    assert [name for name, _ in core.calls].count("fetch_challenge") == 1


async def test_request_shows_who_where_when_and_its_own_title(
    activate_phone: ActivatePhone, core: FakeCore, bus: EventBus, clock: object
) -> None:
    phone = await activate_phone()
    assert phone.app.serial is not None
    request_id = core.login(phone.app.serial, title="Wire transfer", subject="Confirm 500 EUR")
    event = await wait_for(
        bus, "phone.notification.received", phone, where=lambda e: e.request_id == request_id
    )
    shown = event.details
    assert (shown["title"], shown["subject"]) == ("Wire transfer", "Confirm 500 EUR")
    assert (shown["userID"], shown["domain"], shown["clientIP"]) == ("alice", "demo", "192.0.2.7")
    assert shown["protection"] == "device"
    assert event.step == 4


async def test_expiry_is_judged_by_the_phone_clock(
    activate_phone: ActivatePhone, core: FakeCore, bus: EventBus
) -> None:
    phone = await activate_phone()
    assert phone.app.serial is not None
    request_id = core.login(phone.app.serial, timeout=60)
    notification_id = await receive(bus, phone, request_id)
    phone.set_clock_offset(61)
    with pytest.raises(RequestExpired):
        await phone.approve(notification_id)
    assert "post_response" not in [name for name, _ in core.calls]
    assert phone.notification(notification_id).status is NotificationStatus.EXPIRED


async def test_a_forged_request_is_marked_invalid(
    activate_phone: ActivatePhone, core: FakeCore, bus: EventBus
) -> None:
    phone = await activate_phone()
    serial = phone.app.serial
    assert serial is not None
    assert phone.app.state.push_token is not None
    request_id = core.login(serial, push=False)
    message = core.sessions[request_id].message
    tampered = message[:-2] + ("00" if message[-2:] != "00" else "11")
    core.delivery.deliver(
        phone.app.state.push_token,
        {
            "pushsim": "1",
            "serialNumber": serial,
            "requestID": request_id,
            "requestMessage": tampered,
        },
    )
    notification_id = await receive(bus, phone, request_id)
    assert phone.notification(notification_id).status is NotificationStatus.INVALID
    with pytest.raises(RequestUnusable, match="does not open"):
        await phone.approve(notification_id)


async def test_poll_fallback_finds_the_request(
    activate_phone: ActivatePhone, core: FakeCore, bus: EventBus
) -> None:
    phone = await activate_phone()
    assert phone.app.serial is not None
    assert await phone.poll() is None
    request_id = core.login(phone.app.serial, push=False)  # the push never came
    notification = await phone.poll()
    assert notification is not None
    assert notification.request_id == request_id
    assert (await phone.approve(notification.id)).session_status == "accepted"
    core.allow_polling = False
    with pytest.raises(Exception, match="polling is not allowed"):
        await phone.poll()


async def test_unknown_notification(activate_phone: ActivatePhone) -> None:
    phone = await activate_phone()
    with pytest.raises(NotificationNotFound):
        await phone.approve("n999")
