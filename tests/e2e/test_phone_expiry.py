"""A login nobody answers: the core times it out and the phone takes it off the screen itself."""

from __future__ import annotations

import httpx

from simulators.phone.event_kinds import PhoneEvent
from simulators.phone.inbox import NotificationStatus
from simulators.suite import Suite
from tests.e2e.flow import PASSWORD, final_status, notification, start_login


async def test_the_phone_shows_the_timeout_without_being_touched(
    suite: Suite, http: httpx.AsyncClient
) -> None:
    await suite.core.service.directory.update_domain("demo", {"push_timeout": 1})
    phone = suite.phone_for("alice")
    request_id = await start_login(http, "alice", "push" + PASSWORD)
    note = await notification(suite, phone, request_id)
    assert note.answerable
    expired = await suite.events.wait_for(
        lambda e: e.kind == PhoneEvent.REQUEST_EXPIRED and e.request_id == request_id,
        timeout=5,
        include_history=True,
    )
    assert expired.source == f"phone:{phone.name}"
    shown = phone.notification_for(request_id)
    assert shown is not None
    assert shown.status == NotificationStatus.EXPIRED
    assert not shown.answerable, "no live Approve on a timed-out request"
    assert (await final_status(http, request_id, wait=5))["sessionStatus"] == "timeout"
