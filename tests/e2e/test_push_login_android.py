"""alice: Android phone, FCM, authenticator-style app, keyword ``push``."""

from __future__ import annotations

import httpx

from simulators.suite import Suite
from tests.e2e.flow import PASSWORD, final_status, notification, start_login, steps_of, trace


async def test_approve_is_accepted_with_all_seven_steps(
    suite: Suite, http: httpx.AsyncClient
) -> None:
    phone = suite.phone_for("alice")
    request_id = await start_login(http, "alice", "push" + PASSWORD)
    note = await notification(suite, phone, request_id)
    assert note.title == "Transaction Request"
    receipt = await phone.approve(note.id)
    assert receipt.decided
    status = await final_status(http, request_id)
    assert status["sessionStatus"] == "accepted"
    assert status["protection"] == "device"
    body = await trace(suite, http, request_id)
    assert steps_of(body) == {1, 2, 3, 4, 5, 6, 7}
    assert body["failedCheck"] is None
    assert all(check["passed"] for check in body["checks"])


async def test_reject_is_refused(suite: Suite, http: httpx.AsyncClient) -> None:
    phone = suite.phone_for("alice")
    request_id = await start_login(http, "alice", "PUSH" + PASSWORD)  # keyword is case-insensitive
    note = await notification(suite, phone, request_id)
    await phone.reject(note.id)
    status = await final_status(http, request_id)
    assert status["sessionStatus"] == "refused"
    assert "reject" in status["reason"]
    body = await trace(suite, http, request_id)
    assert steps_of(body) == {1, 2, 3, 4, 5, 6, 7}


async def test_no_answer_times_out_after_the_domain_timeout(
    suite: Suite, http: httpx.AsyncClient
) -> None:
    await suite.core.service.directory.update_domain("demo", {"push_timeout": 1})
    phone = suite.phone_for("alice")
    request_id = await start_login(http, "alice", "push" + PASSWORD)
    await notification(suite, phone, request_id)  # delivered, and nobody answers
    suite.fcm.faults.drop()  # the "request ended" notice is lost: only the phone's clock is left
    status = await final_status(http, request_id, wait=5)
    assert status["sessionStatus"] == "timeout"
    body = await trace(suite, http, request_id)
    assert {1, 2, 3, 4, 7} <= steps_of(body)
    # the phone refuses a late answer by its own clock; one whose clock runs late
    # still answers, and the core refuses it by the server's clock
    note = phone.notification_for(request_id)
    assert note is not None
    phone.set_clock_offset(-120)
    receipt = await phone.approve(note.id)
    assert not receipt.decided
    assert receipt.http_status == 409
    assert (await final_status(http, request_id))["sessionStatus"] == "timeout"
