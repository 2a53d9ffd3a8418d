"""Device-side activation against a core running the real protocol."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from core.events import EventBus
from core.protocol.keys import UnlockProtection
from simulators.phone.activation_flow import ActivationStep
from simulators.phone.errors import ActivationFailed, CoreApiError
from simulators.phone.identity import AppKind, Platform
from simulators.phone.phone import Phone
from simulators.phone.unlock import Finger, Pin
from tests.simulators.phone.conftest import PIN, ActivatePhone, MakePhone, receive, wait_for
from tests.simulators.phone.fakes import FakeCore, FakeDelivery


async def test_activation_step_by_step_then_push_registration(
    make_phone: MakePhone, core: FakeCore, delivery: FakeDelivery, bus: EventBus
) -> None:
    phone = make_phone()
    await phone.start()
    registration_id, message1, password = core.register_user("bob", "demo")

    offer = phone.scan_activation_message1(message1)
    assert (offer.user_id, offer.domain, offer.registration_id) == ("bob", "demo", registration_id)
    assert phone.app.activation.step is ActivationStep.AWAITING_PASSWORD
    device_code = phone.enter_activation_password(password.lower())  # typed casually
    shown = await wait_for(bus, "phone.activation.device_code", phone)
    assert shown.details["deviceCode"] == device_code

    message2 = await core.add_device(registration_id, device_code)  # the user at the portal
    serial = await phone.complete_activation(message2, pin=PIN)

    assert serial == offer.serial == phone.app.serial
    authenticator = core.authenticators[serial]
    assert authenticator.active
    assert authenticator.push_token == phone.app.state.push_token
    assert (authenticator.platform, authenticator.app_id) == ("android", phone.app.info.app_id)
    assert phone.app.state.core_registered
    await wait_for(bus, "phone.delivery.online", phone)
    kinds = [e.kind for e in bus.history if e.source == phone.source]
    assert kinds.index("phone.activation.completed") < kinds.index("phone.push.registered")


async def test_wrong_activation_password_is_caught_at_the_portal_and_can_be_retyped(
    make_phone: MakePhone, core: FakeCore
) -> None:
    phone = make_phone()
    registration_id, message1, password = core.register_user()
    phone.scan_activation_message1(message1)
    wrong_code = phone.enter_activation_password("AAAA-BBBB-CCCC")
    with pytest.raises(CoreApiError, match="wrong activation password"):
        await core.add_device(registration_id, wrong_code)
    assert not phone.app.state.activated

    message2 = await core.add_device(registration_id, phone.enter_activation_password(password))
    assert await phone.complete_activation(message2, pin=PIN) == phone.app.serial


async def test_message2_from_another_registration_is_not_authentic(
    make_phone: MakePhone, core: FakeCore, bus: EventBus
) -> None:
    phone = make_phone()
    _, message1, password = core.register_user()
    other_id, other1, other_password = core.register_user()
    other_phone = make_phone("other")
    other_phone.scan_activation_message1(other1)
    foreign2 = await core.add_device(
        other_id, other_phone.enter_activation_password(other_password)
    )

    phone.scan_activation_message1(message1)
    phone.enter_activation_password(password)
    with pytest.raises(ActivationFailed):
        await phone.complete_activation(foreign2, pin=PIN)
    assert not phone.app.state.activated
    await wait_for(bus, "phone.activation.failed", phone)


async def test_corrupted_message1_and_bad_pin_are_refused(
    make_phone: MakePhone, core: FakeCore
) -> None:
    phone = make_phone()
    registration_id, message1, password = core.register_user()
    corrupted = message1[:60] + ("0" if message1[60] != "0" else "1") + message1[61:]
    with pytest.raises(ActivationFailed):
        phone.scan_activation_message1(corrupted)
    phone.scan_activation_message1(message1)
    message2 = await core.add_device(registration_id, phone.enter_activation_password(password))
    with pytest.raises(ActivationFailed, match="4-8 digits"):
        await phone.complete_activation(message2, pin="12")
    assert not phone.app.state.activated


async def test_activation_survives_a_restart(
    activate_phone: ActivatePhone, make_phone: MakePhone, core: FakeCore, bus: EventBus
) -> None:
    phone = await activate_phone()
    serial, token = phone.app.serial, phone.app.state.push_token
    await phone.stop()

    again = make_phone()  # same name: loads phones/pixel.json
    assert again.app.state.activated
    assert again.app.serial == serial
    assert again.app.state.push_token == token
    mark = bus.history[-1].seq
    await again.start()
    await wait_for(bus, "phone.delivery.online", again, where=lambda e: e.seq > mark)
    assert serial is not None
    request_id = core.login(serial, protection=UnlockProtection.PIN)
    notification_id = await receive(bus, again, request_id)
    receipt = await again.approve(notification_id, unlock=Pin(PIN))
    assert receipt.session_status == "accepted"


async def test_already_activated_app_refuses_a_second_activation(
    activate_phone: ActivatePhone, core: FakeCore
) -> None:
    phone: Phone = await activate_phone()
    _, message1, _ = core.register_user()
    with pytest.raises(ActivationFailed, match="already activated"):
        phone.scan_activation_message1(message1)


async def test_an_ios_sdk_phone_on_apns(
    activate_phone: ActivatePhone, core: FakeCore, delivery: FakeDelivery, bus: EventBus
) -> None:
    def apns_shaped(token: str, payload: Mapping[str, Any]) -> object:
        data = {k: v for k, v in payload.items() if k != "notification"}
        alert = payload["notification"]
        return delivery.deliver(
            token, {"aps": {"alert": alert, "mutable-content": 1}, **data, "pushsim": 1}
        )

    core.push_sink = apns_shaped
    phone = await activate_phone("iphone", platform=Platform.IOS, kind=AppKind.SDK)
    token, serial = phone.app.state.push_token, phone.app.serial
    assert token is not None
    assert serial is not None
    assert len(token) == 64
    assert int(token, 16) >= 0
    assert core.authenticators[serial].platform == "ios"
    assert core.authenticators[serial].app_id == "com.pushsim.sdkdemo"
    request_id = core.login(serial, protection=UnlockProtection.FINGERPRINT, subject="Log in?")
    notification_id = await receive(bus, phone, request_id)
    assert phone.notification(notification_id).subject == "Log in?"
    receipt = await phone.approve(notification_id, unlock=Finger("right-index"))
    assert receipt.session_status == "accepted"


async def test_activation_through_a_portal_callback(make_phone: MakePhone, core: FakeCore) -> None:
    phone = make_phone()
    _, message1, password = core.register_user()
    typed: list[str] = []

    async def portal(registration_id: str, device_code: str) -> str:
        typed.append(device_code)
        return await core.add_device(registration_id, device_code)

    serial = await phone.activate(message1, password, pin=PIN, portal=portal)
    assert typed
    assert core.authenticators[serial].active
    assert phone.app.state.core_registered  # pushes registered even before start()
