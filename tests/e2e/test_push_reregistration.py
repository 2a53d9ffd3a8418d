"""An injected APNs BadDeviceToken: the phone shows push unregistered, registers again, logs in."""

from __future__ import annotations

import httpx

from core.events import Event
from simulators.delivery.control_client import FaultControl
from simulators.suite import Suite
from tests.e2e.flow import PASSWORD, final_status, login, notification, start_login


async def test_bad_device_token_then_register_again_accepts_the_next_login(
    suite: Suite, http: httpx.AsyncClient
) -> None:
    phone = suite.phone_for("bob")
    old_token = phone.app.state.push_token
    control = FaultControl(suite)
    try:
        await control.inject("apns", {"kind": "error", "error": "BadDeviceToken", "count": 1})
    finally:
        await control.aclose()
    response = await login(http, "bob", "PIN" + PASSWORD)
    assert response.json()["sessionStatus"] == "failure", response.text

    def unregistered(event: Event) -> bool:
        return event.kind == "phone.push.token_revoked" and event.source == phone.source

    await suite.events.wait_for(unregistered, include_history=True)
    assert phone.view().app.push_unregistered
    assert not phone.view().app.push_registered

    token = await phone.reregister_push()
    assert token != old_token
    assert phone.view().app.push_registered
    request_id = await start_login(http, "bob", "PIN" + PASSWORD)
    note = await notification(suite, phone, request_id)
    assert note.request is not None
    await phone.reject(note.id)
    assert (await final_status(http, request_id))["sessionStatus"] == "refused"


async def test_a_push_unregistered_phone_registers_again_when_it_comes_online(
    suite: Suite, http: httpx.AsyncClient
) -> None:
    phone = suite.phone_for("bob")
    control = FaultControl(suite)
    try:
        await control.inject("apns", {"kind": "error", "error": "BadDeviceToken", "count": 1})
    finally:
        await control.aclose()
    assert (await login(http, "bob", "PIN" + PASSWORD)).json()["sessionStatus"] == "failure"
    await suite.events.wait_for(
        lambda e: e.kind == "phone.push.token_revoked" and e.source == phone.source,
        include_history=True,
    )
    assert phone.view().app.push_unregistered
    phone.set_airplane_mode(True)
    phone.set_airplane_mode(False)  # back online: the app registers a new token
    await suite.events.wait_for(
        lambda e: e.kind == "phone.push.registered" and e.source == phone.source
    )
    assert phone.view().app.push_registered
    request_id = await start_login(http, "bob", "PIN" + PASSWORD)
    note = await notification(suite, phone, request_id)
    await phone.reject(note.id)
    assert (await final_status(http, request_id))["sessionStatus"] == "refused"
