"""Steps on the login side and the server side: logins, waits, the clock, settings, faults."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from typing import Any

from core.seed import IOS_APP_ID
from core.service.errors import ServiceError
from simulators.delivery.control_client import FaultError
from simulators.login_client import CoreUnreachable
from simulators.scenarios.model import Step
from simulators.scenarios.world import DOMAIN, SessionRef, StepFailed, StepRunner, World

# how each request method puts keyword and password together (SPEC §2.1)
_PASSKEY: dict[str, Callable[[str, str], str]] = {
    "KeywordPassword": lambda keyword, password: keyword + password,
    "PasswordKeyword": lambda keyword, password: password + keyword,
    "KeywordOnly": lambda keyword, password: keyword,
    "Password": lambda keyword, password: password,
    "None": lambda keyword, password: "",
}


def passkey(world: World, step: Step) -> str:
    raw = step.get("passkey")
    if isinstance(raw, str):
        return raw
    user = str(step.get("user"))
    keywords = list(world.domain.get("keywords", {}))
    keyword = str(step.get("keyword", keywords[0] if keywords else ""))
    password = str(step.get("password", world.passwords[user]))
    method = str(world.domain.get("request_method", "KeywordPassword"))
    return _PASSKEY[method](keyword, password)


async def login(world: World, step: Step) -> None:
    user = str(step.get("user"))
    try:
        started = await world.login.login(user, DOMAIN, passkey(world, step))
    except CoreUnreachable as exc:
        raise StepFailed(str(exc)) from None
    wanted = step.get("expect_http", 200)
    if started.http_status != wanted:
        raise StepFailed(
            f"login got HTTP {started.http_status} ({started.message or started.status}),"
            f" expected {wanted}"
        )
    if started.request_id is not None and not started.refused:
        ref = SessionRef(request_id=started.request_id, user=user, number=started.number)
        world.sessions["last"] = ref
        if "as" in step.args:
            world.sessions[str(step.get("as"))] = ref


async def wait(world: World, step: Step) -> None:
    if "until_decided" in step.args:
        ref = world.session(step, "until_decided")
        within = float(step.get("seconds", world.scenario.timeout))
        try:
            await world.login.wait_decided(ref.request_id, timeout=within)
        except TimeoutError:
            raise StepFailed(f"session still pending after {within:g} s") from None
        return
    await asyncio.sleep(float(step.get("seconds")))


async def advance_clock(world: World, step: Step) -> None:
    world.clock.advance(float(step.get("seconds")))
    # let the core's expiry sweep and the phones see the new time
    await world.suite.core.service.sessions.expire_due()


async def set_domain(world: World, step: Step) -> None:
    await apply_domain(world, dict(step.args))


async def apply_domain(world: World, changes: dict[str, Any]) -> None:
    directory = world.suite.core.service.directory
    try:
        updated = await directory.update_domain(DOMAIN, changes)
    except ServiceError as exc:  # InvalidInput: a setting out of range
        raise StepFailed(f"domain settings refused: {exc}") from None
    world.domain = {
        "request_method": updated.request_method,
        "keywords": dict(updated.keywords),
        "push_timeout": updated.push_timeout,
    }


async def set_push_app(world: World, step: Step) -> None:
    directory = world.suite.core.service.directory
    app = await directory.get_push_app(IOS_APP_ID)
    bundle = step.get("bundle_id") or None
    await directory.put_push_app(dataclasses.replace(app, apns_bundle_id=bundle), replace=True)


async def inject_fault(world: World, step: Step) -> None:
    await add_fault(world, dict(step.args))


async def add_fault(world: World, fault: dict[str, Any]) -> None:
    token = None
    if "phone" in fault:
        token = world.phones[str(fault["phone"])].app.state.push_token
        if token is None:
            raise StepFailed(f"phone {fault['phone']} has no push token for a device fault")
    try:
        await world.faults.add(fault, token)
    except FaultError as exc:
        raise StepFailed(str(exc)) from None


async def clear_fault(world: World, step: Step) -> None:
    try:
        if step.get("all"):
            await world.faults.clear()
        else:
            await world.faults.remove(str(step.get("id")))
    except FaultError as exc:
        raise StepFailed(str(exc)) from None


STEPS: dict[str, StepRunner] = {
    "login": login,
    "wait": wait,
    "advance_clock": advance_clock,
    "set_domain": set_domain,
    "set_push_app": set_push_app,
    "inject_fault": inject_fault,
    "clear_fault": clear_fault,
}
