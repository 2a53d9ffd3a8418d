"""Reset to demo data on a running suite: every stuck state a demo can leave is gone."""

from __future__ import annotations

import httpx

from core.seed import DEMO_DOMAIN
from simulators.phone.event_kinds import SuiteEvent
from simulators.suite import Suite
from tests.e2e.flow import PASSWORD, final_status, login, notification, start_login


async def test_reset_restores_users_phones_faults_and_clears_sessions(
    suite: Suite, http: httpx.AsyncClient
) -> None:
    alice, bob = suite.phone_for("alice"), suite.phone_for("bob")
    old_serial = alice.app.serial
    for _ in range(2):
        assert (await login(http, "alice", "push-wrong")).status_code == 401
    stuck = await start_login(http, "alice", f"push{PASSWORD}")
    await notification(suite, alice, stuck)
    suite.fcm.faults.add_latency(5.0)
    bob.set_airplane_mode(True)
    bob.set_clock_offset(120)

    seconds = await suite.reset_demo()

    assert seconds > 0
    assert suite.events.history[-1].kind == SuiteEvent.RESET
    user = await suite.core.service.directory.get_user("alice", DEMO_DOMAIN)
    assert user.failed_attempts == 0
    assert (await http.get(f"/v1/sessions/{stuck}")).status_code == 404
    assert suite.fcm.faults.faults == ()
    assert not bob.settings.airplane_mode
    assert bob.settings.clock_offset == 0
    assert alice.app.serial != old_serial, "the phone is activated afresh"
    assert alice.notifications == []
    for phone, passkey in ((alice, f"push{PASSWORD}"), (bob, f"NoPIN{PASSWORD}")):
        user_id = phone.app.state.enrollment.user_id  # type: ignore[union-attr]
        request_id = await start_login(http, user_id, passkey)
        shown = await notification(suite, phone, request_id)
        await phone.approve(shown.id)
        assert (await final_status(http, request_id))["sessionStatus"] == "accepted"
