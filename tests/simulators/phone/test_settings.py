"""Tester switches: airplane mode, notifications denied, uninstall/reinstall, clock offset."""

from __future__ import annotations

import json

import pytest

from core.events import EventBus
from core.protocol.keys import UnlockProtection
from simulators.phone.errors import NotActivated, PhoneOffline
from simulators.phone.unlock import Pin
from tests.simulators.phone.conftest import PIN, ActivatePhone, MakePhone, receive, wait_for
from tests.simulators.phone.fakes import FakeCore, FakeDelivery


def _call_names(core: FakeCore) -> list[str]:
    return [name for name, _ in core.calls]


async def test_airplane_mode_closes_the_stream_and_refuses_requests(
    activate_phone: ActivatePhone, core: FakeCore, delivery: FakeDelivery, bus: EventBus
) -> None:
    phone = await activate_phone()
    token, serial = phone.app.state.push_token, phone.app.serial
    assert token is not None
    assert serial is not None
    first = core.login(serial)
    notification_id = await receive(bus, phone, first)

    phone.set_airplane_mode(True)
    await wait_for(bus, "phone.delivery.offline", phone)
    calls_before = len(core.calls)
    with pytest.raises(PhoneOffline):
        await phone.approve(notification_id)
    with pytest.raises(PhoneOffline):
        await phone.reject(notification_id)
    with pytest.raises(PhoneOffline):
        await phone.poll()
    assert len(core.calls) == calls_before  # nothing left the phone
    assert not phone.describe()["online"]

    second = core.login(serial)  # stored by the push service while we are offline
    assert delivery.queued(token) == 1
    mark = bus.history[-1].seq
    phone.set_airplane_mode(False)
    await wait_for(bus, "phone.delivery.online", phone, where=lambda e: e.seq > mark)
    second_id = await receive(bus, phone, second)
    assert (await phone.approve(second_id)).session_status == "accepted"
    assert (await phone.approve(notification_id)).session_status == "accepted"


async def test_stream_really_closes_in_airplane_mode(
    activate_phone: ActivatePhone, delivery: FakeDelivery, bus: EventBus
) -> None:
    phone = await activate_phone()
    token = phone.app.state.push_token
    assert token is not None
    assert delivery.open_streams[token] == 1
    phone.set_airplane_mode(True)
    await phone.stop()  # waits for the cancelled stream task to finish
    assert delivery.open_streams[token] == 0


async def test_notifications_denied_hides_pushes_but_polling_shows_them(
    activate_phone: ActivatePhone, core: FakeCore, bus: EventBus
) -> None:
    phone = await activate_phone()
    assert phone.app.serial is not None
    phone.set_notifications_denied(True)
    request_id = core.login(phone.app.serial, protection=UnlockProtection.PIN)
    suppressed = await wait_for(bus, "phone.notification.suppressed", phone)
    assert suppressed.request_id == request_id
    assert phone.notifications == []

    notification = await phone.poll()
    assert notification is not None
    assert notification.request_id == request_id
    assert [n.id for n in phone.notifications] == [notification.id]
    assert (await phone.approve(notification.id, unlock=Pin(PIN))).session_status == "accepted"


async def test_uninstall_unregisters_and_reinstall_needs_activation(
    activate_phone: ActivatePhone, core: FakeCore, delivery: FakeDelivery, bus: EventBus
) -> None:
    phone = await activate_phone()
    token, serial = phone.app.state.push_token, phone.app.serial
    assert token is not None
    assert serial is not None

    await phone.uninstall_app()
    assert token in delivery.unregistered
    event = await wait_for(bus, "phone.app.uninstalled", phone)
    assert event.details["tokenUnregistered"] is True
    record = json.loads(phone.storage.path.read_text())
    assert record["app"]["keystore"] is None
    assert record["app"]["installed"] is False
    assert not delivery.deliver(token, {"pushsim": "1"})  # the token is dead

    await phone.install_app()
    assert phone.app.state.installed
    assert not phone.app.state.activated
    with pytest.raises(NotActivated):
        await phone.poll()
    _, message1, password = core.register_user()
    new_serial = await phone.activate(message1, password, pin=PIN)
    assert new_serial != serial
    assert phone.app.state.push_token not in (None, token)


async def test_uninstall_while_offline_unregisters_when_back_online(
    activate_phone: ActivatePhone, delivery: FakeDelivery, bus: EventBus
) -> None:
    phone = await activate_phone()
    token = phone.app.state.push_token
    assert token is not None
    phone.set_airplane_mode(True)
    await phone.uninstall_app()
    assert token not in delivery.unregistered
    phone.set_airplane_mode(False)
    await wait_for(bus, "phone.push.unregistered", phone)
    assert token in delivery.unregistered


async def test_settings_persist_across_a_restart(make_phone: MakePhone, bus: EventBus) -> None:
    phone = make_phone()
    phone.set_clock_offset(-30)
    phone.set_notifications_denied(True)
    phone.enroll_finger("left-thumb")
    assert phone.now() == pytest.approx(phone.clock.base.now() - 30)
    reloaded = make_phone()
    assert reloaded.settings.clock_offset == -30
    assert reloaded.settings.notifications_denied
    assert reloaded.sensor.enrolled == ("right-index", "left-thumb")
    assert reloaded.now() == pytest.approx(phone.now())
    assert reloaded.describe()["app"]["activated"] is False


async def test_a_token_revoked_by_the_service_stops_the_stream_until_re_registered(
    activate_phone: ActivatePhone, core: FakeCore, delivery: FakeDelivery, bus: EventBus
) -> None:
    phone = await activate_phone()
    old_token, serial = phone.app.state.push_token, phone.app.serial
    assert old_token is not None
    assert serial is not None
    delivery.revoke(old_token)
    await wait_for(bus, "phone.push.token_revoked", phone)
    assert phone.app.state.push_token is None
    assert not phone.app.state.core_registered

    new_token = await phone.register_push()  # the user opens the app again
    assert new_token != old_token
    assert core.authenticators[serial].push_token == new_token
    await wait_for(
        bus, "phone.delivery.online", phone, where=lambda e: e.details["token"] == new_token
    )
    request_id = core.login(serial)
    assert (await phone.approve(await receive(bus, phone, request_id))).decided
