"""Captured responses replayed, altered, sent for another session or from another serial.

A test-only interceptor holds the phone's outgoing response (as a network
attacker would capture it) so the session is still pending while the altered
copies arrive: each must be refused and leave the session exactly as it was.
"""

from __future__ import annotations

import httpx
import pytest

from simulators.phone import HttpCoreDeviceApi, ResponseReceipt
from simulators.suite import Suite
from tests.e2e.flow import PASSWORD, notification, start_login


class Captured:
    def __init__(self) -> None:
        self.messages: list[tuple[str, str]] = []


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> Captured:
    holder = Captured()

    async def hold(self: HttpCoreDeviceApi, serial: str, message: str) -> ResponseReceipt:
        holder.messages.append((serial, message))
        return ResponseReceipt(http_status=202, message="held by the test")

    monkeypatch.setattr(HttpCoreDeviceApi, "post_response", hold)
    return holder


async def post(http: httpx.AsyncClient, serial: str, message: str) -> httpx.Response:
    return await http.post(
        "/v1/push/response", json={"serialNumber": serial, "responseMessage": message}
    )


async def status_of(http: httpx.AsyncClient, request_id: str) -> str:
    return str((await http.get(f"/v1/sessions/{request_id}")).json()["sessionStatus"])


def flip(message: str, index: int) -> str:
    raw = bytearray(bytes.fromhex(message))
    raw[index] ^= 0x01
    return raw.hex()


async def capture_approval(suite: Suite, http: httpx.AsyncClient, captured: Captured) -> str:
    phone = suite.phone_for("alice")
    request_id = await start_login(http, "alice", "push" + PASSWORD)
    note = await notification(suite, phone, request_id)
    await phone.approve(note.id)
    assert captured.messages, "the approval was captured"
    return request_id


async def test_altered_copies_are_refused_and_leave_the_session_pending(
    suite: Suite, http: httpx.AsyncClient, captured: Captured
) -> None:
    request_id = await capture_approval(suite, http, captured)
    serial, message = captured.messages[-1]
    length = len(message) // 2
    # version, type, protection, a serial byte, a nonce byte, body bytes, tag bytes
    for index in (0, 1, 2, 5, 15, 21, length // 2, length - 9, length - 1):
        response = await post(http, serial, flip(message, index))
        assert 400 <= response.status_code < 500, (index, response.text)
        assert await status_of(http, request_id) == "pending"
    truncated = await post(http, serial, message[:-2])
    assert 400 <= truncated.status_code < 500
    assert await status_of(http, request_id) == "pending"
    # the untouched original still decides it
    original = await post(http, serial, message)
    assert original.status_code == 200, original.text
    assert await status_of(http, request_id) == "accepted"


async def test_a_response_from_another_serial_is_refused(
    suite: Suite, http: httpx.AsyncClient, captured: Captured
) -> None:
    request_id = await capture_approval(suite, http, captured)
    _, message = captured.messages[-1]
    bob = suite.phone_for("bob").app.state.enrollment
    assert bob is not None
    response = await post(http, bob.serial, message)
    assert 400 <= response.status_code < 500, response.text
    assert await status_of(http, request_id) == "pending"


async def test_replay_and_reuse_for_another_session_are_refused(
    suite: Suite, http: httpx.AsyncClient, captured: Captured
) -> None:
    first = await capture_approval(suite, http, captured)
    serial, message = captured.messages[-1]
    assert (await post(http, serial, message)).status_code == 200
    assert await status_of(http, first) == "accepted"

    replay = await post(http, serial, message)
    assert replay.status_code in (403, 409), replay.text
    assert await status_of(http, first) == "accepted"

    # a second login is pending; the old answer must not decide it
    second = await start_login(http, "alice", "push" + PASSWORD)
    reused = await post(http, serial, message)
    assert reused.status_code in (403, 409), reused.text
    assert await status_of(http, second) == "pending"
    trace = await http.get(
        f"/v1/sessions/{first}/trace",
        headers={"Authorization": f"Bearer {suite.workspace.admin_token()}"},
    )
    refused = [e for e in trace.json()["events"] if e["kind"] == "response.refused"]
    assert refused, "the trace shows the refused replays"
    assert await status_of(http, second) == "pending"
