"""Steps a person does with a phone: notifications, unlocks, answers, airplane mode, installs.

Unlocks follow the app: an ``unlock`` step is what the user types or touches
when the app asks. It is queued on its phone; the next ``approve`` opens the
notification, the app shows its unlock prompt (when the request needs more
than the device key) and the queued attempts are fed to that prompt in order,
each checked against its ``expect_ok`` — so wrong PINs count towards the PIN
lockout and unknown fingers towards the biometric lockout, and the fallback
from fingerprint to PIN happens where the app offers it.
"""

from __future__ import annotations

import asyncio
import contextlib

from simulators.phone import Notification, Phone
from simulators.phone.errors import PhoneError, UnlockError
from simulators.phone.unlock import Finger, Pin
from simulators.scenarios.model import Step
from simulators.scenarios.world import (
    PendingUnlock,
    SessionRef,
    StepFailed,
    StepRunner,
    World,
    expect_http,
)

DEFAULT_WITHIN = 5.0  # expect_notification's default
ANSWER_WAIT = 15.0  # how long approve / reject wait for the notification and the prompt
PROMPT_WAIT = ANSWER_WAIT


async def arrived(world: World, phone: Phone, ref: SessionRef, within: float) -> Notification:
    def found() -> bool:
        note = phone.notification_for(ref.request_id)
        return note is not None and note.request is not None

    await world.wait_phone(found, within, f"the notification on {phone.name}")
    note = phone.notification_for(ref.request_id)
    assert note is not None
    return note


async def expect_notification(world: World, step: Step) -> None:
    phone, ref = world.phone(step), world.session(step)
    within = float(step.get("within", DEFAULT_WITHIN))
    if step.get("delivered", True):
        await arrived(world, phone, ref, within)
        return
    with contextlib.suppress(StepFailed):
        await arrived(world, phone, ref, within)
        raise StepFailed(f"a notification reached {phone.name}; expected none")


async def unlock(world: World, step: Step) -> None:
    given = Pin(str(step.get("pin"))) if "pin" in step.args else Finger(str(step.get("finger")))
    phone = world.phone(step)
    if phone.app.prompt is not None:  # the app is asking right now
        await _feed(phone, PendingUnlock(given, step))
        return
    world.unlocks.setdefault(phone.name, []).append(PendingUnlock(given, step))


async def _feed(phone: Phone, pending: PendingUnlock) -> None:
    wanted = pending.step.get("expect_ok", True)
    try:
        await phone.answerer.submit_unlock(pending.given)
        failure = None
    except UnlockError as exc:
        failure = str(exc) or type(exc).__name__
    if wanted and failure is not None:
        raise StepFailed(f"unlock at line {pending.step.line} failed: {failure}")
    if not wanted and failure is None:
        raise StepFailed(f"unlock at line {pending.step.line} succeeded; expected it to fail")


async def _prompt_or_done(world: World, phone: Phone, task: asyncio.Task[object]) -> bool:
    """True when the app shows its unlock prompt; False when the answer finished without one."""

    def ready() -> bool:
        return task.done() or phone.app.prompt is not None

    woke = asyncio.Event()
    unsubscribe = world.suite.events.subscribe(lambda _: woke.set())  # no event slips by
    try:
        async with asyncio.timeout(PROMPT_WAIT):
            while not ready():  # woken by any event or by the answer finishing
                woke.clear()
                waiter = asyncio.ensure_future(woke.wait())
                await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
                waiter.cancel()
    except TimeoutError:
        raise StepFailed(f"{phone.name} neither asked for an unlock nor answered") from None
    finally:
        unsubscribe()
    return phone.app.prompt is not None


def _number(step: Step, ref: SessionRef, note: Notification) -> int | None:
    if "number" in step.args:
        return int(step.get("number"))
    numbers = note.request.numbers if note.request is not None else None
    if numbers is None:
        return None
    if step.get("pick") == "wrong":
        return next(n for n in numbers if n != ref.number)
    return ref.number


async def approve(world: World, step: Step) -> None:
    phone, ref = world.phone(step), world.session(step)
    note = await arrived(world, phone, ref, ANSWER_WAIT)
    queued = world.unlocks.pop(phone.name, [])
    task: asyncio.Task[object] = asyncio.create_task(
        phone.approve(note.id, number=_number(step, ref, note))
    )
    try:
        for pending in queued:
            if not await _prompt_or_done(world, phone, task):
                raise StepFailed(f"the app did not ask for the unlock at line {pending.step.line}")
            await _feed(phone, pending)
        if await _prompt_or_done(world, phone, task):
            phone.cancel_unlock()  # nothing left to type: the user gives up
    except BaseException:
        task.cancel()
        raise
    await _answered(step, task, "approve")


async def _answered(step: Step, task: asyncio.Task[object], what: str) -> None:
    try:
        receipt = await task
    except PhoneError as exc:
        if step.get("expect_ok", True):
            raise StepFailed(f"{what} failed on the phone: {exc or type(exc).__name__}") from None
        return
    if not step.get("expect_ok", True):
        raise StepFailed(f"{what} went through; expected the phone to refuse it")
    expect_http(step, getattr(receipt, "http_status", 0), what)


async def reject(world: World, step: Step) -> None:
    phone, ref = world.phone(step), world.session(step)
    note = await arrived(world, phone, ref, ANSWER_WAIT)
    await _answered(step, asyncio.create_task(phone.reject(note.id)), "reject")


async def offline(world: World, step: Step) -> None:
    world.phone(step).set_airplane_mode(True)


async def online(world: World, step: Step) -> None:
    world.phone(step).set_airplane_mode(False)


async def uninstall(world: World, step: Step) -> None:
    await world.phone(step).uninstall_app()


async def reinstall(world: World, step: Step) -> None:
    phone = world.phone(step)
    await phone.install_app()
    spec = world.phone_specs[phone.name]
    if spec.user is not None:
        await activate_as(world, phone, spec.user, spec.pin)


async def activate(world: World, step: Step) -> None:
    phone = world.phone(step)
    spec = world.phone_specs[phone.name]
    await activate_as(world, phone, str(step.get("user")), str(step.get("pin", spec.pin)))


async def activate_as(world: World, phone: Phone, user: str, pin: str) -> None:
    spec = world.phone_specs[phone.name]
    try:
        await world.suite.activate_phone(phone, world.demo_user(user, spec), pin=pin)
    except PhoneError as exc:
        raise StepFailed(f"activation of {phone.name} failed: {exc}") from None


async def poll(world: World, step: Step) -> None:
    if await world.phone(step).poll() is None:
        raise StepFailed("the poll found no pending request")


STEPS: dict[str, StepRunner] = {
    "expect_notification": expect_notification,
    "unlock": unlock,
    "approve": approve,
    "reject": reject,
    "offline": offline,
    "online": online,
    "uninstall": uninstall,
    "reinstall": reinstall,
    "activate": activate,
    "poll": poll,
}
