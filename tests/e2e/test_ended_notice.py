"""A session that ends without the phone's answer: the core's silent notice takes it off screen.

docs/protocol.md §16.9: the core sends a data-only FCM message / a background
APNs push; the phone shows "cancelled", "answered elsewhere" or "timed out"
within a second of the core's decision.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from core.event_kinds import CoreEvent
from core.events import Event
from simulators.phone.event_kinds import PhoneEvent
from simulators.phone.inbox import NotificationStatus
from simulators.phone.push_delivery import NotAPushSimPush, parse_ended, parse_push
from simulators.suite import Suite
from tests.e2e.flow import PASSWORD, final_status, notification, start_login

WITHIN = 1.0  # seconds from the core's decision to the phone's screen


def kind_for(kind: str, request_id: str) -> object:
    return lambda e: e.kind == kind and e.request_id == request_id


async def ended_on_phone(suite: Suite, request_id: str) -> tuple[Event, Event]:
    decided = await suite.events.wait_for(
        kind_for(CoreEvent.SESSION_DECIDED, request_id), timeout=10, include_history=True
    )
    ended = await suite.events.wait_for(
        kind_for(PhoneEvent.REQUEST_ENDED, request_id), timeout=WITHIN, include_history=True
    )
    assert ended.time - decided.time < WITHIN
    return decided, ended


async def test_a_second_login_cancels_the_first_on_the_phone(
    suite: Suite, http: httpx.AsyncClient
) -> None:
    phone = suite.phone_for("alice")  # Android: an FCM data message
    first = await start_login(http, "alice", "push" + PASSWORD)
    assert (await notification(suite, phone, first)).answerable
    second = await start_login(http, "alice", "push" + PASSWORD)

    decided, _ = await ended_on_phone(suite, first)
    assert decided.details["reason"].startswith("cancelled: superseded")
    shown = phone.notification_for(first)
    assert shown is not None
    assert shown.status == NotificationStatus.CANCELLED
    assert not shown.answerable, "no live Approve on a cancelled request"
    sent = await suite.events.wait_for(
        kind_for(CoreEvent.PUSH_ENDED, first), timeout=5, include_history=True
    )
    assert sent.details["outcome"] == "cancelled"
    assert sent.details["result"] == "delivered"
    body = json.loads(sent.raw or "{}")["message"]
    assert "notification" not in body, "silent: a data message shows nothing"
    assert body["data"]["type"] == "ended"
    assert (await notification(suite, phone, second)).answerable, "the new login stays live"
    trace = await http.get(
        f"/v1/sessions/{first}/trace",
        headers={"authorization": f"Bearer {suite.workspace.admin_token()}"},
    )
    assert CoreEvent.PUSH_ENDED in [e["kind"] for e in trace.json()["events"]]


async def test_a_deactivated_authenticator_cancels_on_the_iphone(
    suite: Suite, http: httpx.AsyncClient
) -> None:
    phone = suite.phone_for("bob")  # iOS: an APNs background push
    request_id = await start_login(http, "bob", "NoPIN" + PASSWORD)
    await notification(suite, phone, request_id)
    assert phone.app.serial is not None
    await suite.core.service.directory.set_authenticator_status(phone.app.serial, "deactivated")
    await ended_on_phone(suite, request_id)
    shown = phone.notification_for(request_id)
    assert shown is not None
    assert shown.status == NotificationStatus.CANCELLED
    sent = await suite.events.wait_for(
        kind_for(CoreEvent.PUSH_ENDED, request_id), timeout=5, include_history=True
    )
    assert json.loads(sent.raw or "{}")["aps"] == {"content-available": 1}
    assert sent.details["result"] == "delivered"


async def test_an_approved_login_sends_no_notice(suite: Suite, http: httpx.AsyncClient) -> None:
    phone = suite.phone_for("alice")
    request_id = await start_login(http, "alice", "push" + PASSWORD)
    shown = await notification(suite, phone, request_id)
    await phone.approve(shown.id)
    assert (await final_status(http, request_id))["sessionStatus"] == "accepted"
    await suite.core.service.ended_notices.wait_idle()
    kinds = [e.kind for e in suite.events.history if e.request_id == request_id]
    assert CoreEvent.PUSH_ENDED not in kinds, "the answering phone has the decision already"
    assert phone.notification_for(request_id).status == NotificationStatus.APPROVED  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "payload",
    [
        {
            "data": {
                "pushsim": "1",
                "type": "ended",
                "serialNumber": "PS1",
                "requestID": "r1",
                "outcome": "timeout",
            }
        },
        {
            "aps": {"content-available": 1},
            "pushsim": "1",
            "type": "ended",
            "serialNumber": "PS1",
            "requestID": "r1",
            "outcome": "timeout",
        },
    ],
)
def test_an_old_phone_ignores_the_notice_and_a_new_one_reads_it(payload: dict) -> None:
    with pytest.raises(NotAPushSimPush):  # a pre-1.4 phone's parser: not a login request
        parse_push(payload)
    notice = parse_ended(payload)
    assert notice is not None
    assert (notice.serial, notice.request_id, notice.outcome) == ("PS1", "r1", "timeout")


@dataclass(frozen=True)
class Delivered:
    payload: dict[str, Any]
    service: str = "fcm"
    token: str = "t"
    message_id: str = "m1"
    received_at: float = 0.0


async def test_a_response_from_elsewhere_reads_answered_elsewhere(
    suite: Suite, http: httpx.AsyncClient
) -> None:
    phone = suite.phone_for("alice")
    request_id = await start_login(http, "alice", "push" + PASSWORD)
    await notification(suite, phone, request_id)
    notice = {"pushsim": "1", "type": "ended", "requestID": request_id, "outcome": "accepted"}
    phone.receiver.receive_push(Delivered({"data": {**notice, "serialNumber": "PS-other"}}))
    assert phone.notification_for(request_id).answerable, "another serial's notice is ignored"  # type: ignore[union-attr]
    phone.receiver.receive_push(Delivered({"data": {**notice, "serialNumber": phone.app.serial}}))
    shown = phone.notification_for(request_id)
    assert shown is not None
    assert shown.status == NotificationStatus.ANSWERED_ELSEWHERE
    assert not shown.answerable
