"""Phones that are offline or gone: store-and-forward, expiry, unregistered tokens."""

from __future__ import annotations

import httpx

from core.clock import SystemClock
from core.events import Event
from simulators.suite import Suite
from tests.e2e.flow import PASSWORD, final_status, login, notification, start_login


async def test_offline_phone_that_returns_within_the_timeout_is_accepted(
    suite: Suite, http: httpx.AsyncClient
) -> None:
    phone = suite.phone_for("alice")
    phone.set_airplane_mode(True)
    request_id = await start_login(http, "alice", "push" + PASSWORD)
    await suite.events.wait_for(
        lambda e: e.kind == "fcm.stored" and e.request_id == request_id, include_history=True
    )
    assert phone.notification_for(request_id) is None
    phone.set_airplane_mode(False)
    note = await notification(suite, phone, request_id)
    await phone.approve(note.id)
    assert (await final_status(http, request_id))["sessionStatus"] == "accepted"


async def test_offline_phone_that_returns_after_the_timeout_times_out(
    suite: Suite, http: httpx.AsyncClient
) -> None:
    await suite.core.service.directory.update_domain("demo", {"push_timeout": 1})
    phone = suite.phone_for("alice")
    phone.set_airplane_mode(True)
    request_id = await start_login(http, "alice", "push" + PASSWORD)
    status = await final_status(http, request_id, wait=5)
    assert status["sessionStatus"] == "timeout"
    # the FCM TTL counts from the send, a moment after the session began: move the
    # shared clock well past it rather than race it
    assert isinstance(suite.clock, SystemClock)
    suite.clock.advance(5)
    phone.set_airplane_mode(False)

    def expired(event: Event) -> bool:
        return event.kind == "fcm.expired" and event.request_id == request_id

    await suite.events.wait_for(expired, include_history=True)
    assert phone.notification_for(request_id) is None  # the push died with its TTL
    assert (await final_status(http, request_id))["sessionStatus"] == "timeout"


async def test_unregistered_token_fails_the_session_and_marks_the_authenticator(
    suite: Suite, http: httpx.AsyncClient
) -> None:
    phone = suite.phone_for("alice")
    enrollment = phone.app.state.enrollment
    assert enrollment is not None
    await phone.uninstall_app()  # the app is gone: FCM forgets its token
    response = await login(http, "alice", "push" + PASSWORD)
    assert response.status_code == 200, response.text
    request_id = response.json()["requestID"]
    status = await final_status(http, request_id)
    assert status["sessionStatus"] == "failure"
    assert "UNREGISTERED" in status["reason"]
    record = await suite.core.service.directory.get_authenticator(enrollment.serial)
    assert record.status == "push-unregistered"
    # no further push goes to a dead token: the next login is refused up front
    again = await login(http, "alice", "push" + PASSWORD)
    assert again.status_code == 409, again.text
