"""bob: iOS phone, APNs, SDK-style app, keywords NoPIN / PIN / Fingerprint."""

from __future__ import annotations

import httpx
import pytest

from simulators.phone import Finger, NoUnlock, Pin
from simulators.suite import DEMO_FINGER, DEMO_PIN, Suite
from tests.e2e.flow import PASSWORD, final_status, notification, start_login, steps_of, trace


@pytest.mark.parametrize(
    ("keyword", "unlock", "protection"),
    [
        ("NoPIN", None, "device"),
        ("PIN", Pin(DEMO_PIN), "pin"),
        ("Fingerprint", Finger(DEMO_FINGER), "fingerprint"),
    ],
)
async def test_each_keyword_is_accepted_with_its_protection(
    suite: Suite,
    http: httpx.AsyncClient,
    keyword: str,
    unlock: Pin | Finger | None,
    protection: str,
) -> None:
    phone = suite.phone_for("bob")
    request_id = await start_login(http, "bob", keyword + PASSWORD)
    note = await notification(suite, phone, request_id)
    receipt = await phone.approve(note.id, unlock=unlock or NoUnlock())
    assert receipt.decided, receipt.describe()
    status = await final_status(http, request_id)
    assert status["sessionStatus"] == "accepted"
    assert status["protection"] == status["protectionUsed"] == protection
    body = await trace(suite, http, request_id)
    assert steps_of(body) == {1, 2, 3, 4, 5, 6, 7}
    sent = [e for e in body["events"] if e["step"] == 3 and e["from"] == "core"]
    assert sent, "the trace shows the push handed to APNs"


async def test_nopin_approval_of_a_pin_login_is_refused_by_the_core(
    suite: Suite, http: httpx.AsyncClient
) -> None:
    phone = suite.phone_for("bob")
    phone.set_ignore_required_protection(True)  # a tampered app that skips the PIN
    request_id = await start_login(http, "bob", "PIN" + PASSWORD)
    note = await notification(suite, phone, request_id)
    await phone.approve(note.id, unlock=NoUnlock())
    status = await final_status(http, request_id)
    assert status["sessionStatus"] == "refused"
    body = await trace(suite, http, request_id)
    assert body["failedCheck"] == "protection_sufficient"
    assert "pin required, device used" in status["reason"]


async def test_five_wrong_pins_lock_the_app(suite: Suite, http: httpx.AsyncClient) -> None:
    phone = suite.phone_for("bob")
    request_id = await start_login(http, "bob", "PIN" + PASSWORD)
    note = await notification(suite, phone, request_id)
    for _ in range(5):
        with pytest.raises(Exception, match="PIN"):
            await phone.approve(note.id, unlock=Pin("9999"))
    assert phone.app.state.locked
    with pytest.raises(Exception, match="locked"):
        await phone.approve(note.id, unlock=Pin(DEMO_PIN))
    # nothing was sent, so the session is still waiting for an answer
    assert (await http.get(f"/v1/sessions/{request_id}")).json()["sessionStatus"] == "pending"


async def test_unknown_finger_five_times_locks_biometrics_then_pin_fallback_works(
    suite: Suite, http: httpx.AsyncClient
) -> None:
    phone = suite.phone_for("bob")
    request_id = await start_login(http, "bob", "Fingerprint" + PASSWORD)
    note = await notification(suite, phone, request_id)
    for _ in range(5):
        with pytest.raises(Exception, match="finger"):
            await phone.approve(note.id, unlock=Finger("left-pinky"))
    assert phone.sensor.locked_out
    receipt = await phone.approve(note.id, unlock=Pin(DEMO_PIN))
    assert receipt.decided, receipt.describe()
    status = await final_status(http, request_id)
    assert status["sessionStatus"] == "accepted"
    assert status["protection"] == "fingerprint"  # what the login asked for ...
    assert status["protectionUsed"] == "pin"  # ... and the fallback that answered it
