"""Attacker steps: an old response again, a flipped bit, an answer made for another session.

The phone's last response is taken from the event bus as it went out (the
``response.sent`` event carries the exact message), then posted to the core's
device API like any network attacker holding a copy could. The attacks
themselves are ``simulators.attacks``, shared with the window's attack panel.
"""

from __future__ import annotations

from simulators.attacks import body_byte, flip_byte, forged_approval
from simulators.phone.errors import CoreApiError
from simulators.scenarios.model import Step
from simulators.scenarios.world import StepFailed, StepRunner, World, expect_http


def _last(world: World, step: Step) -> tuple[str, str]:
    name = str(step.get("phone"))
    if name not in world.last_response:
        raise StepFailed(f"phone {name} has not sent a response yet")
    return world.last_response[name]


async def _post(world: World, step: Step, serial: str, message: str, what: str) -> None:
    try:
        receipt = await world.phone(step).core().post_response(serial, message)
    except CoreApiError as exc:
        raise StepFailed(f"{what}: {exc}") from None
    expect_http(step, receipt.http_status, what)


async def replay_last_response(world: World, step: Step) -> None:
    serial, message = _last(world, step)
    await _post(world, step, serial, message, "replayed response")


async def tamper_last_response(world: World, step: Step) -> None:
    serial, message = _last(world, step)
    # a body byte, chosen by the seed: deterministic, and never the header
    index = body_byte(message, world.rng.randrange(1 << 30))
    await _post(world, step, serial, flip_byte(message, index), "tampered response")


async def answer_other_session(world: World, step: Step) -> None:
    phone = world.phone(step)
    target, source = world.session(step, "for"), world.session(step, "with")
    note = phone.notification_for(source.request_id)
    if note is None or note.request is None:
        raise StepFailed(f"phone {phone.name} never received the request of session `with`")
    message = forged_approval(phone, note.request, target.request_id)
    serial = phone.app.require_activated().serial
    await _post(world, step, serial, message, "answer for another session")


STEPS: dict[str, StepRunner] = {
    "replay_last_response": replay_last_response,
    "tamper_last_response": tamper_last_response,
    "answer_other_session": answer_other_session,
}
