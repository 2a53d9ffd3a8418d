"""N simultaneous answers for one session: exactly one decides it, the rest are refused."""

from __future__ import annotations

import asyncio

import httpx

from core.protocol.messages import Decision
from tests.core.device_core import CoreEnv, answer

N = 24


async def test_simultaneous_answers_exactly_one_wins(
    api: httpx.AsyncClient, core_env: CoreEnv
) -> None:
    keys = await core_env.activate("alice")
    login = await api.post(
        "/v1/users/alice@demo/login", json={"credentials": {"passKey": "pushDemo-1234"}}
    )
    request_id = login.json()["requestID"]
    request = core_env.last_request_message()
    # different messages (fresh nonces), half approve and half reject
    messages = [
        answer(
            keys,
            request,
            now=core_env.now,
            decision=Decision.ACCEPT if i % 2 else Decision.REJECT,
        )
        for i in range(N)
    ]
    responses = await asyncio.gather(
        *(
            api.post("/v1/push/response", json={"serialNumber": keys.serial, "responseMessage": m})
            for m in messages
        )
    )
    winners = [r for r in responses if r.status_code == 200]
    losers = [r for r in responses if r.status_code != 200]
    assert len(winners) == 1
    decided = winners[0].json()["sessionStatus"]
    assert decided in ("accepted", "refused")
    word = {"accepted": "accepted", "refused": "refused"}[decided]
    for loser in losers:
        assert loser.status_code == 409
        assert loser.json()["message"] == f"session outdated: {word}"
        assert loser.json()["check"] == "session_pending"
    session = (await api.get(f"/v1/sessions/{request_id}")).json()
    assert session["sessionStatus"] == decided
    trace = await core_env.service.trace(request_id)
    assert [e.kind for e in trace.events].count("session.decided") == 1
    assert [e.kind for e in trace.events].count("response.refused") == N - 1


async def test_the_same_message_sent_many_times_decides_once(
    api: httpx.AsyncClient, core_env: CoreEnv
) -> None:
    keys = await core_env.activate("alice")
    await api.post("/v1/users/alice@demo/login", json={"credentials": {"passKey": "pushDemo-1234"}})
    message = answer(keys, core_env.last_request_message(), now=core_env.now)
    body = {"serialNumber": keys.serial, "responseMessage": message}
    responses = await asyncio.gather(*(api.post("/v1/push/response", json=body) for _ in range(N)))
    codes = sorted(r.status_code for r in responses)
    assert codes.count(200) == 1
    assert set(codes) - {200} <= {403, 409}  # a replay, or outdated by the winner
    for response in responses:
        if response.status_code != 200:
            assert response.json()["check"] in ("nonce_fresh", "session_pending")


async def test_answer_racing_the_expiry_sweeper(core_env: CoreEnv) -> None:
    keys = await core_env.activate("alice")
    result = await core_env.service.login(user_id="alice", domain="demo", passkey="pushDemo-1234")
    message = answer(keys, core_env.last_request_message(), now=core_env.now)
    core_env.clock.advance(59.9)
    outcome = await asyncio.gather(
        core_env.service.respond(serial=keys.serial, response_message=message),
        core_env.service.sessions.expire_due(),
        return_exceptions=True,
    )
    session = await core_env.service.session_status(result.request_id)
    assert session.status == "accepted"  # not yet expired: the sweeper found nothing due
    assert outcome[1] == []
