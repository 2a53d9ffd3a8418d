"""Unlock methods bound to keys: PIN counting and lockout, fingerprint lockout and fallback."""

from __future__ import annotations

import asyncio

import pytest

from core.events import EventBus
from core.protocol.keys import UnlockProtection
from core.protocol.session import SessionStatus
from simulators.phone.errors import (
    AppLocked,
    BiometricLockout,
    FingerMismatch,
    NoUnlockPrompt,
    UnlockCancelled,
    UnlockNotAllowed,
    WrongPin,
)
from simulators.phone.phone import Phone
from simulators.phone.unlock import Finger, Pin
from tests.simulators.phone.conftest import PIN, ActivatePhone, MakePhone, receive, wait_for
from tests.simulators.phone.fakes import FakeCore


async def _pin_login(
    phone: Phone, core: FakeCore, bus: EventBus, required: UnlockProtection
) -> str:
    assert phone.app.serial is not None
    return await receive(bus, phone, core.login(phone.app.serial, protection=required))


async def test_wrong_pins_count_and_five_lock_the_app_for_good(
    activate_phone: ActivatePhone, make_phone: MakePhone, core: FakeCore, bus: EventBus
) -> None:
    phone = await activate_phone()
    notification_id = await _pin_login(phone, core, bus, UnlockProtection.PIN)
    for remaining in (4, 3, 2, 1):
        with pytest.raises(WrongPin) as info:
            await phone.approve(notification_id, unlock=Pin("1111"))
        assert info.value.remaining == remaining
    assert phone.app.gate.pin_failures == 4
    with pytest.raises(AppLocked):
        await phone.approve(notification_id, unlock=Pin("1111"))
    await wait_for(bus, "phone.app.locked", phone)
    with pytest.raises(AppLocked):  # even the right PIN now
        await phone.approve(notification_id, unlock=Pin(PIN))
    assert "post_response" not in [name for name, _ in core.calls]

    await phone.stop()
    reloaded = make_phone()  # the lock is persisted
    assert reloaded.app.gate.locked
    assert reloaded.app.state.locked
    with pytest.raises(AppLocked):
        await reloaded.app.gate.unlock(
            reloaded.app.require_activated(), UnlockProtection.DEVICE, Pin(PIN)
        )


async def test_a_right_pin_resets_the_count(
    activate_phone: ActivatePhone, core: FakeCore, bus: EventBus
) -> None:
    phone = await activate_phone()
    notification_id = await _pin_login(phone, core, bus, UnlockProtection.PIN)
    with pytest.raises(WrongPin):
        await phone.approve(notification_id, unlock=Pin("1111"))
    assert (await phone.approve(notification_id, unlock=Pin(PIN))).session_status == "accepted"
    assert phone.app.gate.pin_failures == 0


async def test_locked_app_can_still_reject(
    activate_phone: ActivatePhone, core: FakeCore, bus: EventBus
) -> None:
    phone = await activate_phone(max_pin_failures=1)
    notification_id = await _pin_login(phone, core, bus, UnlockProtection.PIN)
    with pytest.raises(AppLocked):
        await phone.approve(notification_id, unlock=Pin("1111"))
    assert (await phone.reject(notification_id)).session_status == "refused"


async def test_fingerprint_lockout_falls_back_to_the_pin(
    activate_phone: ActivatePhone, core: FakeCore, bus: EventBus
) -> None:
    phone = await activate_phone()
    notification_id = await _pin_login(phone, core, bus, UnlockProtection.FINGERPRINT)

    approval = asyncio.create_task(phone.approve(notification_id))
    prompt = await wait_for(bus, "phone.unlock.prompt", phone)
    assert prompt.details["offered"] == ["fingerprint"]
    with pytest.raises(UnlockNotAllowed):  # PIN only after a lockout
        await phone.unlock_with_pin(PIN)
    for _ in range(4):
        with pytest.raises(FingerMismatch):
            await phone.unlock_with_finger("left-thumb")
    with pytest.raises(BiometricLockout):
        await phone.unlock_with_finger("left-thumb")
    await wait_for(bus, "phone.biometric.lockout", phone)
    fallback = await wait_for(
        bus, "phone.unlock.prompt", phone, where=lambda e: e.details["offered"] == ["pin"]
    )
    assert fallback.details["required"] == "fingerprint"
    with pytest.raises(BiometricLockout):
        await phone.unlock_with_finger("right-index")

    assert await phone.unlock_with_pin(PIN) is UnlockProtection.PIN
    receipt = await approval
    assert receipt.session_status == "accepted"
    verdict = core.last_verdict(receipt.request_id or "")
    assert verdict.response is not None
    assert verdict.response.protection is UnlockProtection.PIN
    assert not phone.sensor.locked_out  # the PIN brought biometrics back


async def test_no_finger_enrolled_offers_the_pin(
    activate_phone: ActivatePhone, core: FakeCore, bus: EventBus
) -> None:
    phone = await activate_phone(fingers=())
    notification_id = await _pin_login(phone, core, bus, UnlockProtection.FINGERPRINT)
    approval = asyncio.create_task(phone.approve(notification_id))
    prompt = await wait_for(bus, "phone.unlock.prompt", phone)
    assert prompt.details["offered"] == ["pin"]
    await phone.unlock_with_pin(PIN)
    assert (await approval).session_status == "accepted"


async def test_finger_cannot_satisfy_a_pin_login(
    activate_phone: ActivatePhone, core: FakeCore, bus: EventBus
) -> None:
    phone = await activate_phone()
    notification_id = await _pin_login(phone, core, bus, UnlockProtection.PIN)
    with pytest.raises(UnlockNotAllowed):
        await phone.approve(notification_id, unlock=Finger("right-index"))


async def test_cancelled_prompt_fails_the_approval(
    activate_phone: ActivatePhone, core: FakeCore, bus: EventBus
) -> None:
    phone = await activate_phone()
    with pytest.raises(NoUnlockPrompt):
        await phone.unlock_with_pin(PIN)
    notification_id = await _pin_login(phone, core, bus, UnlockProtection.PIN)
    approval = asyncio.create_task(phone.approve(notification_id))
    await wait_for(bus, "phone.unlock.prompt", phone)
    phone.cancel_unlock()
    with pytest.raises(UnlockCancelled):
        await approval
    request = phone.notification(notification_id)
    assert request.answerable  # still there to answer later
    assert core.status(request.request_id) is SessionStatus.PENDING


async def test_change_pin(activate_phone: ActivatePhone, core: FakeCore, bus: EventBus) -> None:
    phone = await activate_phone()
    assert not await phone.change_pin("0000", "24681357")
    assert await phone.change_pin(PIN, "24681357")
    notification_id = await _pin_login(phone, core, bus, UnlockProtection.PIN)
    with pytest.raises(WrongPin):
        await phone.approve(notification_id, unlock=Pin(PIN))
    assert (await phone.approve(notification_id, unlock=Pin("24681357"))).decided
