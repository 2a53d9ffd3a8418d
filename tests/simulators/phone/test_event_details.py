"""Typed phone event details: fields for readers, the same mapping for the audit log."""

from __future__ import annotations

import asyncio

import pytest

from core.events import EventBus, EventDetails
from core.protocol.keys import UnlockProtection
from simulators.phone.core_client import ResponseReceipt
from simulators.phone.event_details import (
    DETAILS_FOR,
    ActivationFailure,
    AutoAnswered,
    NotificationShown,
    PhoneShown,
    PushTokenDetails,
    ResponseSent,
    SettingsChanged,
    UnlockFailed,
    UnlockPrompted,
    UnlockSucceeded,
)
from simulators.phone.event_kinds import PhoneEvent, SuiteEvent
from simulators.phone.views import describe_phone_view
from tests.simulators.phone.conftest import PIN, ActivatePhone, MakePhone, receive, wait_for
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


def test_every_phone_and_suite_kind_has_a_details_class() -> None:
    assert set(DETAILS_FOR) == set(PhoneEvent) | set(SuiteEvent)
    assert all(issubclass(cls, EventDetails) for cls in DETAILS_FOR.values())


async def test_a_received_push_carries_the_notification_and_reads_as_before(
    activate_phone: ActivatePhone, core: FakeCore, bus: EventBus
) -> None:
    phone = await activate_phone()
    assert phone.app.serial is not None
    notification_id = await receive(bus, phone, core.login(phone.app.serial))
    event = await wait_for(bus, "phone.notification.received", phone)
    details = event.details
    assert isinstance(details, NotificationShown)
    assert details.notification.id == notification_id
    assert details.message_id is not None
    # the mapping is what the phone used to publish: describe() plus the push's messageID
    assert dict(details) == details.notification.describe() | {"messageID": details.message_id}
    assert details["requestID"] == event.request_id


async def test_records_read_as_their_own_wire_form(make_phone: MakePhone, bus: EventBus) -> None:
    phone = make_phone()
    await phone.start()
    started = (await wait_for(bus, "phone.started", phone)).details
    assert isinstance(started, PhoneShown)
    assert dict(started) == describe_phone_view(started.view)
    phone.set_airplane_mode(True)
    settings = (await wait_for(bus, "phone.settings.changed", phone)).details
    assert isinstance(settings, SettingsChanged)
    assert settings.settings.airplane_mode is True
    assert dict(settings) == settings.settings.to_dict()


def test_optional_keys_stay_out_while_unset() -> None:
    assert dict(ResponseSent(decision="accept", protection="pin")) == {
        "decision": "accept",
        "protection": "pin",
    }
    assert dict(UnlockFailed(method="pin", reason="wrong PIN", remaining=2)) == {
        "method": "pin",
        "reason": "wrong PIN",
        "remaining": 2,
    }
    receipt = ResponseReceipt(http_status=200, session_status="accepted")
    assert dict(AutoAnswered(notification_id="n1", receipt=receipt)) == {
        "notificationID": "n1",
        "httpStatus": 200,
        "sessionStatus": "accepted",
    }
    prompted = UnlockPrompted(
        notification_id="n1", required="pin", offered=("pin",), pin_attempts_left=5
    )
    assert dict(prompted)["offered"] == ["pin"]  # a list, as the JSON trace has it


async def test_the_phone_refuses_details_of_another_kind(make_phone: MakePhone) -> None:
    phone = make_phone()
    with pytest.raises(TypeError, match="PushTokenDetails"):
        phone.emit(PhoneEvent.PUSH_TOKEN, "token", details=ActivationFailure(reason="x"))
    with pytest.raises(TypeError, match="NoDetails"):
        phone.emit(PhoneEvent.PIN_CHANGED, "PIN changed", details=ActivationFailure(reason="x"))
