"""The sequence diagram's model, fed by a real push login over loopback.

Each platform's approve is exactly seven arrows, numbered 1-7, on the right
lanes (the push goes core → FCM/APNs → phone, the answer phone → core), with
no start-up event among them; a replayed answer after the decision is one
more arrow whose inspection names the failing check and leaves the later
checks not reached.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser

import httpx
import pytest

from simulators.flow_html import inspection_html
from simulators.flow_inspection import FAILED, NOT_REACHED, PASSED, inspect
from simulators.phone import NoUnlock, Pin
from simulators.session_flow import FlowRecorder, Lane, SessionFlow
from simulators.session_report import session_report_html
from simulators.suite import DEMO_PIN, Suite
from tests.e2e.flow import PASSWORD, final_status, notification, start_login

EXPECTED = [
    (1, Lane.CLIENT, Lane.CORE),
    (2, Lane.CORE, Lane.CORE),
    (3, Lane.CORE, Lane.PUSH),
    (4, Lane.PUSH, Lane.PHONE),
    (5, Lane.PHONE, Lane.PHONE),
    (6, Lane.PHONE, Lane.CORE),
    (7, Lane.CORE, Lane.CLIENT),
]


@pytest.fixture
def recorder(suite: Suite) -> FlowRecorder:
    """The diagram's model, following the suite's events from the start."""
    following = FlowRecorder()
    following.attach(suite.events)
    return following


async def approved_flow(
    suite: Suite, http: httpx.AsyncClient, recorder: FlowRecorder, user: str, keyword: str
) -> SessionFlow:
    phone = suite.phone_for(user)
    request_id = await start_login(http, user, keyword + PASSWORD)
    note = await notification(suite, phone, request_id)
    await phone.approve(note.id, unlock=Pin(DEMO_PIN) if keyword == "PIN" else NoUnlock())
    assert (await final_status(http, request_id))["sessionStatus"] == "accepted"
    await suite.events.wait_for(
        lambda e: (flow := recorder.get(request_id)) is not None and flow.status == "accepted",
        include_history=True,
    )
    flow = recorder.get(request_id)
    assert flow is not None
    return flow


@pytest.mark.parametrize(
    ("user", "keyword", "provider"), [("alice", "push", "fcm"), ("bob", "PIN", "apns")]
)
async def test_an_approve_is_seven_arrows_on_the_right_lanes(
    suite: Suite,
    http: httpx.AsyncClient,
    recorder: FlowRecorder,
    user: str,
    keyword: str,
    provider: str,
) -> None:
    flow = await approved_flow(suite, http, recorder, user, keyword)
    assert [(a.step, a.source, a.target) for a in flow.arrows] == EXPECTED
    assert flow.provider == provider
    assert flow.lane_detail(Lane.PHONE) == suite.phone_for(user).name
    assert flow.user == f"{user}@demo"
    assert len(recorder.sessions) == 1, "start-up events are not a session"

    response = flow.arrows[5]
    kinds = {str(e.kind) for e in response.events}
    assert kinds == {"phone.response.sent", "response.received"}, "one message, both ends"
    seen = inspect(response, flow)
    assert seen.raw_is_hex
    assert seen.header is not None
    assert seen.body is not None
    assert [f.name for f in seen.fields] == [
        "version",
        "type",
        "protection",
        "serial",
        "nonce",
        "body",
        "tag",
    ]
    assert {c.state for c in seen.checks} == {PASSED}
    assert len(seen.checks) == 11
    decided = inspect(flow.arrows[6], flow)
    assert decided.checks == seen.checks
    copied = json.loads(decided.as_json())
    assert copied["firstFailure"] is None
    assert len(copied["checks"]) == 11


async def test_a_replay_after_the_decision_names_the_failing_check(
    suite: Suite, http: httpx.AsyncClient, recorder: FlowRecorder
) -> None:
    flow = await approved_flow(suite, http, recorder, "alice", "push")
    sent = flow.arrows[5].event("phone.response.sent")
    assert sent is not None
    assert sent.raw
    header = inspect(flow.arrows[5], flow).header
    assert header is not None
    serial = str(header["serialNumber"])
    replay = await http.post(
        "/v1/push/response", json={"serialNumber": serial, "responseMessage": sent.raw}
    )
    assert replay.status_code == 409
    await suite.events.wait_for(
        lambda e: e.kind == "response.refused" and e.request_id == flow.request_id,
        include_history=True,
    )
    flow = recorder.get(flow.request_id) or flow
    refusal = flow.arrows[-1]
    assert (refusal.step, refusal.source, refusal.target) == (7, Lane.CORE, Lane.PHONE)
    seen = inspect(refusal, flow)
    failure = seen.first_failure
    assert failure is not None
    assert failure.check == "session_pending"
    states = [c.state for c in seen.checks]
    assert states[:3] == [PASSED] * 3
    assert states[3] == FAILED
    assert set(states[4:]) == {NOT_REACHED}
    html = inspection_html(seen)
    assert "first failure: <b>session_pending</b>" in html
    assert flow.status == "accepted", "the replay changed nothing"


class _Report(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.svg = 0
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        for key in ("href", "src"):
            if found.get(key):
                self.links.append(str(found[key]))
        self.svg += tag == "svg"

    def handle_data(self, data: str) -> None:
        self.text.append(data)


async def test_the_session_report_is_one_offline_file_with_every_message(
    suite: Suite, http: httpx.AsyncClient, recorder: FlowRecorder
) -> None:
    flow = await approved_flow(suite, http, recorder, "bob", "PIN")
    report = _Report()
    report.feed(session_report_html(flow))
    assert report.svg == 1
    sections = {i for i in report.ids if i.startswith("m")}
    assert sections == {f"m{i}" for i in range(len(flow.arrows))}, "a section per message"
    assert all(link.startswith("#") for link in report.links), "nothing loaded from outside"
    text = "".join(report.text)
    for arrow in flow.arrows:
        assert arrow.label in text
    assert text.count("Validation checks") == 2, "the response and the decision"
    assert "Decoded header" in text
    assert "+0.0 ms" in text
