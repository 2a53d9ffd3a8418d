"""Issue 13: a lockout that holds under concurrency, no user enumeration, a push rate limit."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

import core.service.login_checks as login_checks
from core.service.errors import Locked, TooManyRequests, Unauthorized
from core.storage.repo_directory import UserRepository
from tests.core.device_core import ADMIN, CoreEnv, api_client

PASSKEY = "pushDemo-1234"
WRONG = "pushnope"


def body(passkey: str) -> dict[str, object]:
    return {"credentials": {"passKey": passkey}}


class Gate:
    """Counts hash evaluations and holds them until ``refused`` reservations have failed
    (``release`` set by hand when ``auto`` is off).

    With every evaluation held, all guesses are in flight at once: the charged
    ones are hashing, the rest have found no free slot.
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *, refused: int, auto: bool = True):
        self.evaluated: list[str] = []
        self.refusals = 0
        self.needed = refused
        self.refused_enough = asyncio.Event()
        self.release = asyncio.Event()
        self.hold_right = asyncio.Event()
        self.hold_right.set()
        verify = login_checks.verify_password_async
        reserve = UserRepository.reserve_password_check

        async def counted_verify(password: str, encoded: str) -> bool:
            self.evaluated.append(password)
            await self.release.wait()
            if password == PASSKEY.removeprefix("push"):
                await self.hold_right.wait()
            return await verify(password, encoded)

        async def counted_reserve(repo: UserRepository, *args: Any) -> bool:
            reserved = await reserve(repo, *args)
            if not reserved:
                self.refusals += 1
                if self.refusals >= self.needed:
                    self.refused_enough.set()
                    if auto:
                        self.release.set()
            return reserved

        monkeypatch.setattr(login_checks, "verify_password_async", counted_verify)
        monkeypatch.setattr(UserRepository, "reserve_password_check", counted_reserve)

    async def refused(self, count: int) -> None:
        """Until ``count`` reservations in all have found no free slot."""
        self.needed = count
        self.refused_enough.clear()
        if self.refusals < count:
            await self.refused_enough.wait()


def login(env: CoreEnv, passkey: str = PASSKEY, user_id: str = "alice") -> Awaitable[Any]:
    return env.service.login(user_id=user_id, domain="demo", passkey=passkey)


@pytest.mark.parametrize("guesses", [20, 200])
async def test_concurrent_wrong_guesses_evaluate_at_most_the_threshold(
    core_env: CoreEnv, monkeypatch: pytest.MonkeyPatch, guesses: int
) -> None:
    await core_env.activate("alice")
    gate = Gate(monkeypatch, refused=guesses - 5)
    results = await asyncio.gather(
        *(login(core_env, WRONG) for _ in range(guesses)), return_exceptions=True
    )
    assert len(gate.evaluated) == 5
    wrong = [r for r in results if isinstance(r, Unauthorized)]
    locked = [r for r in results if isinstance(r, Locked)]
    assert (len(wrong), len(locked)) == (1, guesses - 1)  # the guess that locked, then 423s
    user = await core_env.service.directory.get_user("alice", "demo")
    assert (user.failed_attempts, user.locked) == (5, True)
    assert core_env.providers.sends() == []


async def test_the_right_guess_among_40_wrong_gets_the_same_locked_answer(
    core_env: CoreEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    await core_env.activate("alice")
    gate = Gate(monkeypatch, refused=35, auto=False)
    async with api_client(core_env) as api:
        wrong = [
            asyncio.ensure_future(api.post("/v1/users/alice@demo/login", json=body(WRONG)))
            for _ in range(40)
        ]
        await gate.refused(35)  # every wrong guess is in: 5 hashing, 35 without a slot
        right_sent = asyncio.ensure_future(
            api.post("/v1/users/alice@demo/login", json=body(PASSKEY))
        )
        await gate.refused(36)  # and the right one, all at once
        gate.release.set()
        right = await right_sent
        answers = [await w for w in wrong]
    assert len(gate.evaluated) == 5
    after_lock = [(a.status_code, a.json()) for a in answers if a.status_code != 401]
    assert len(after_lock) == 39
    assert {(status, str(data)) for status, data in after_lock} == {
        (right.status_code, str(right.json()))
    }
    assert right.status_code == 423
    assert core_env.providers.sends() == []


async def test_a_right_check_that_ends_after_a_concurrent_lock_is_refused_alike(
    core_env: CoreEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    await core_env.activate("alice")
    gate = Gate(monkeypatch, refused=1)
    gate.hold_right.clear()
    tasks = [asyncio.ensure_future(login(core_env, WRONG)) for _ in range(4)]
    tasks.append(asyncio.ensure_future(login(core_env, PASSKEY)))  # charged fifth
    tasks.append(asyncio.ensure_future(login(core_env, WRONG)))  # finds no slot
    results = await asyncio.gather(*tasks[:4], tasks[5], return_exceptions=True)
    gate.hold_right.set()
    right = await asyncio.gather(tasks[4], return_exceptions=True)
    assert len(gate.evaluated) == 5
    assert isinstance(right[0], Locked)
    assert {str(r) for r in results if isinstance(r, Locked)} == {str(right[0])}


async def test_charges_that_never_settled_lock_at_the_next_guess(core_env: CoreEnv) -> None:
    await core_env.activate("alice")
    async with core_env.service.db.transaction() as tx:  # five checks cut off mid-hash
        await tx.users.update("alice", "demo", {"failed_attempts": 5})
    with pytest.raises(Locked):
        await login(core_env)
    assert (await core_env.service.directory.get_user("alice", "demo")).locked


async def test_unknown_users_cost_one_hash_like_known_ones(
    core_env: CoreEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    await core_env.activate("alice")
    await core_env.service.directory.create_user("nopass", "demo", None)
    costs: list[tuple[str, ...]] = []
    verify = login_checks.verify_password_async

    async def measured(password: str, encoded: str) -> bool:
        costs.append(tuple(encoded.split("$")[:4]))  # scheme, log2 n, r, p
        return await verify(password, encoded)

    monkeypatch.setattr(login_checks, "verify_password_async", measured)
    async with api_client(core_env) as api:
        answers = [
            await api.post(f"/v1/users/{who}@demo/login", json=body(WRONG))
            for who in ("alice", "mallory", "nopass")
        ]
        trace = await api.get("/v1/admin/audit-events", headers=ADMIN)
    assert len({(a.status_code, a.text) for a in answers}) == 1
    assert answers[0].status_code == 401
    assert len(costs) == 3
    assert len(set(costs)) == 1  # the dummy hash has the known user's parameters
    assert "unknown user mallory@demo" in trace.text


async def test_forty_logins_in_five_seconds_send_three_pushes(core_env: CoreEnv) -> None:
    await core_env.activate("alice")
    refused: list[TooManyRequests] = []
    for _ in range(40):
        try:
            await login(core_env)
        except TooManyRequests as error:
            refused.append(error)
        core_env.clock.advance(5 / 40)
    assert len(core_env.providers.sends()) == 3
    assert len(refused) == 37
    assert {e.extra["retry_after"] for e in refused} <= set(range(56, 61))
    trace = await core_env.service.trace(refused[0].extra["request_id"])
    assert [e.kind for e in trace.events] == ["login.received", "login.refused"]
    assert trace.session.reason.startswith("refused: push rate limit: at most 3 pushes per 60 s")


async def test_no_sixty_seconds_ever_see_more_than_three_pushes(core_env: CoreEnv) -> None:
    await core_env.activate("alice")
    sent: list[float] = []
    for _ in range(36):  # one login every 5 s for 3 minutes
        before = len(core_env.providers.sends())
        await _outcome(lambda: login(core_env))
        if len(core_env.providers.sends()) > before:
            sent.append(core_env.now)
        core_env.clock.advance(5)
    assert len(sent) >= 6  # the cap lets pushes through again as the window moves
    assert all(len([s for s in sent if t - 60 < s <= t]) <= 3 for t in sent)


async def test_the_api_answers_429_with_retry_after_and_an_unlock_clears_it(
    core_env: CoreEnv,
) -> None:
    await core_env.activate("alice")
    async with api_client(core_env) as api:
        for _ in range(3):
            ok = await api.post("/v1/users/alice@demo/login", json=body(PASSKEY))
            assert ok.status_code == 200
        capped = await api.post("/v1/users/alice@demo/login", json=body(PASSKEY))
        assert capped.status_code == 429
        assert capped.json()["retryAfter"] == 60
        assert "push rate limit" in capped.json()["message"]
        unlocked = await api.post("/v1/admin/users/alice@demo/unlock", headers=ADMIN)
        assert unlocked.status_code == 200
        again = await api.post("/v1/users/alice@demo/login", json=body(PASSKEY))
        assert again.status_code == 200
    assert len(core_env.providers.sends()) == 4


async def test_the_push_rate_is_a_domain_option(core_env: CoreEnv) -> None:
    await core_env.activate("alice")
    async with api_client(core_env) as api:
        patch = {"pushRateLimit": 5, "pushRateWindow": 30, "revealUnknownUsers": True}
        changed = await api.patch("/v1/admin/domains/demo", json=patch, headers=ADMIN)
        assert changed.status_code == 200
        assert {k: changed.json()[k] for k in patch} == patch
        bad = await api.patch("/v1/admin/domains/demo", json={"pushRateLimit": 0}, headers=ADMIN)
        assert bad.status_code == 400
        assert [e["field"] for e in bad.json()["validationErrors"]] == ["pushRateLimit"]
    outcomes: list[str] = []
    for _ in range(6):
        outcomes.append(await _outcome(lambda: login(core_env)))
    assert outcomes == ["ok"] * 5 + ["429"]
    core_env.clock.advance(31)
    assert await _outcome(lambda: login(core_env)) == "ok"


async def _outcome(call: Callable[[], Awaitable[Any]]) -> str:
    try:
        await call()
    except TooManyRequests:
        return "429"
    return "ok"


async def test_other_users_are_not_capped(core_env: CoreEnv) -> None:
    await core_env.activate("alice")
    await core_env.activate("bob", push_token="tok-2")
    for _ in range(4):
        await _outcome(lambda: login(core_env))
    assert await _outcome(lambda: login(core_env, user_id="bob")) == "ok"


async def test_the_first_check_of_a_known_user_also_makes_the_dummy_hash(
    core_env: CoreEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[str] = []
    hash_async = login_checks.hash_password_async

    async def counted(password: str, **cost: int) -> str:
        made.append(password)
        return await hash_async(password, **cost)

    monkeypatch.setattr(login_checks, "hash_password_async", counted)
    await core_env.activate("alice")
    with pytest.raises(Unauthorized):
        await login(core_env, WRONG)
    assert len(made) == 1  # made by the known user's check ...
    with pytest.raises(Unauthorized):
        await login(core_env, WRONG, user_id="mallory")
    assert len(made) == 1  # ... so the first unknown user costs no more
