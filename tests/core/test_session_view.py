"""session.decided carries typed details and the session's view model."""

from __future__ import annotations

import json

from core.event_kinds import CoreEvent
from core.events import Event
from core.protocol.session import SessionStatus
from core.service.views import SessionDecided, SessionView
from tests.core.device_core import CoreEnv, answer


async def test_an_accepted_answer_publishes_the_decided_view(core_env: CoreEnv) -> None:
    env = core_env
    seen: list[Event] = []
    env.events.subscribe(lambda e: seen.append(e) if e.kind == CoreEvent.SESSION_DECIDED else None)
    keys = await env.activate("alice")
    result = await env.service.login(user_id="alice", domain="demo", passkey="pushDemo-1234")
    await env.service.respond(
        serial=keys.serial, response_message=answer(keys, env.last_request_message(), now=env.now)
    )

    (event,) = seen
    details = event.details
    assert isinstance(details, SessionDecided)
    assert (details.status, details.reason, details.check) == (
        "accepted",
        "approved with device",
        None,
    )
    view = details.view
    assert isinstance(view, SessionView)
    assert view.request_id == result.request_id
    assert (view.status, view.protection_used, view.pending) == (
        SessionStatus.ACCEPTED,
        "device",
        False,
    )
    assert view.decided is not None
    assert view.decided >= view.created
    # as a mapping it is what the audit log stores: the facts, not the view
    assert set(details) == {"status", "reason", "check", "checks"}
    assert json.loads(json.dumps(dict(details)))["checks"][0]["check"] == "secure_channel_tag"


async def test_a_decision_without_an_answer_has_no_checks(core_env: CoreEnv) -> None:
    env = core_env
    seen: list[Event] = []
    env.events.subscribe(lambda e: seen.append(e) if e.kind == CoreEvent.SESSION_DECIDED else None)
    await env.activate("alice")
    result = await env.service.login(user_id="alice", domain="demo", passkey="pushDemo-1234")
    env.clock.advance(301)  # past any domain's push timeout (at most 300 s)
    assert await env.service.sessions.expire_due() == [result.request_id]

    (event,) = seen
    assert dict(event.details) == {"status": "timeout", "reason": event.details.reason}
    assert event.details.reason.startswith("push timeout: no answer within")
    assert event.details.view.status is SessionStatus.TIMEOUT
