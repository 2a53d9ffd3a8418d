"""The ``expect`` step: every key is one promise about a session, a user or a phone.

Sessions are read through the core's public status API (as a login client
sees them, so a session past its expiry reads ``timeout``), traces and records
through the core's service (what ``GET /v1/sessions/{id}/trace`` and the admin
API answer). All keys of one ``expect`` are checked; each miss is reported.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.service.sessions import Trace
from simulators.scenarios.model import Step
from simulators.scenarios.world import DOMAIN, StepFailed, World

SESSION_KEYS = ("status", "reason", "reason_contains", "failed_check", "trace_contains")


def trace_has(trace: Trace, item: str) -> bool:
    """``check`` ran, ``check=passed|failed``, ``step:N`` or ``kind:<event kind>`` in the trace."""
    if item.startswith("step:"):
        return any(str(e.step) == item[5:] for e in trace.events)
    if item.startswith("kind:"):
        return any(e.kind == item[5:] for e in trace.events)
    name, _, result = item.partition("=")
    checks = list(trace.checks)
    for event in trace.events:
        found = event.details.get("checks")
        if isinstance(found, list):
            checks.extend(c for c in found if isinstance(c, dict))
    for check in checks:
        if check.get("check") != name:
            continue
        if not result or (check.get("passed") is True) == (result == "passed"):
            return True
    return False


async def _session_misses(world: World, step: Step) -> list[str]:
    ref = world.session(step)
    decision = await world.login.status(ref.request_id, wait=0)
    misses: list[str] = []
    reason = decision.reason or decision.message or ""
    want = step.args
    if "status" in want and decision.status != want["status"]:
        misses.append(f"status is {decision.status!r} ({reason}), expected {want['status']!r}")
    if "reason" in want and reason != want["reason"]:
        misses.append(f"reason is {reason!r}, expected {want['reason']!r}")
    if "reason_contains" in want and str(want["reason_contains"]) not in reason:
        misses.append(f"reason {reason!r} does not contain {want['reason_contains']!r}")
    if "failed_check" in want or "trace_contains" in want:
        trace = await world.suite.core.service.trace(ref.request_id)
        if "failed_check" in want and trace.failed_check != want["failed_check"]:
            misses.append(
                f"failed check is {trace.failed_check!r}, expected {want['failed_check']!r}"
            )
        for item in want.get("trace_contains", ()):
            if not trace_has(trace, str(item)):
                misses.append(f"the trace has no {item!r}")
    return misses


async def _phone_misses(world: World, step: Step) -> list[str]:
    if "phone" not in step.args:
        raise StepFailed("`authenticator_status` and `notification` need `phone`")
    phone = world.phone(step)
    misses: list[str] = []
    if "authenticator_status" in step.args:
        record = await world.suite.core.service.directory.get_authenticator(world.serial(phone))
        if record.status != step.get("authenticator_status"):
            misses.append(
                f"authenticator of {phone.name} is {record.status!r},"
                f" expected {step.get('authenticator_status')!r}"
            )
    if "notification" in step.args:
        ref = world.session(step)
        got = "delivered" if phone.notification_for(ref.request_id) is not None else "none"
        if got != step.get("notification"):
            misses.append(
                f"notification on {phone.name}: {got}, expected {step.get('notification')}"
            )
    return misses


async def _user_misses(world: World, step: Step) -> list[str]:
    if "user" not in step.args:
        raise StepFailed("`locked` and `cooldown` need `user`")
    user = await world.suite.core.service.directory.get_user(str(step.get("user")), DOMAIN)
    facts: dict[str, bool] = {
        "locked": bool(user.locked),
        "cooldown": user.cooldown_until is not None and user.cooldown_until > world.clock.now(),
    }
    return [
        f"user {user.user_id}: {key} is {facts[key]}, expected {step.get(key)}"
        for key in facts
        if key in step.args and facts[key] != step.get(key)
    ]


_GROUPS: tuple[tuple[tuple[str, ...], Callable[[World, Step], Any]], ...] = (
    (SESSION_KEYS, _session_misses),
    (("authenticator_status", "notification"), _phone_misses),
    (("locked", "cooldown"), _user_misses),
)


async def expect(world: World, step: Step) -> None:
    misses: list[str] = []
    for keys, check in _GROUPS:
        if any(key in step.args for key in keys):
            misses.extend(await check(world, step))
    if misses:
        raise StepFailed("; ".join(misses))


STEPS = {"expect": expect}
