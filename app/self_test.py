"""``pushsim --self-test``: the window driven through a demo, one line per check.

A fresh workspace in a temporary folder, the product's settings, the real
window (offscreen works): one approve (alice, push), one reject (bob, NoPIN),
then step mode walked from step 1 to 7 with a clicker's PageDown, then an
APNs BadDeviceToken injected from the Faults tab and recovered from, then one
new phone activated through the activation wizard. Prints
``ok``/``FAIL`` per check and ``ready in N.NN s`` counted from process start;
exits 0 only when every check holds and the window was ready within
``READY_LIMIT`` seconds. Waiting is on the window's own signals (no sleeps).
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import qasync
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.main_window import MainWindow
from app.phone_panel import PhoneCard
from app.startup import mark
from core.clock import SystemClock
from core.seed import DEMO_PASSWORD
from core.workspace import Workspace
from simulators.phone.views import PhoneView
from simulators.prestart import Prestart
from simulators.suite import Suite

READY_LIMIT = 2.0
BUSY = ("sending", "pending")
WAIT = 30.0
T = TypeVar("T")


class Checks:
    def __init__(self) -> None:
        self.failed = 0

    def report(self, ok: bool, what: str) -> None:
        print(f"{'ok  ' if ok else 'FAIL'} {what}", flush=True)
        self.failed += not ok


async def until(
    signal: Any,
    value: Callable[[], T],
    check: Callable[[T], bool],
    what: str = "the window",
    timeout: float = WAIT,  # noqa: ASYNC109 - how long a demo step may take
) -> T:
    """``value()`` once ``check`` holds, re-read each time ``signal`` fires (no polling).

    The GUI tests wait the same way (a nested Qt loop is forbidden under qasync).
    """
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def on_signal(*_: object) -> None:
        if not done.done() and check(value()):
            done.set_result(None)

    signal.connect(on_signal)
    try:
        on_signal()
        async with asyncio.timeout(timeout):
            await done
    except TimeoutError:
        raise AssertionError(f"timed out after {timeout} s waiting for {what}") from None
    finally:
        signal.disconnect(on_signal)
    return value()


async def log_in(window: MainWindow, user: str, passkey: str) -> None:
    panel = window.login_panel
    panel.user_edit.setText(user)
    panel.password_edit.setText(passkey)
    panel.user_edit.setFocus()
    QTest.keyClick(panel.user_edit, Qt.Key.Key_Return)


async def settled(window: MainWindow) -> str:
    """The login's phase once it is no longer sending or pending."""
    model = window.login_panel.model
    return await until(model.changed, lambda: model.state.phase, lambda p: p not in BUSY)


async def request_up(window: MainWindow, phone: str) -> PhoneCard:
    """The phone's card once it shows an answerable request."""
    card = window.phones.cards[phone]

    def answerable(view: PhoneView) -> bool:
        note = view.shown_notification
        return note is not None and note.answerable and note.request is not None

    await until(card.views.changed, lambda: card.views.view, answerable)
    return card


async def answer(window: MainWindow, phone: str, *, approve: bool) -> str:
    card = await request_up(window, phone)
    (card.approve_button if approve else card.reject_button).click()
    return await settled(window)


def _starts(prefix: str) -> Callable[[str], bool]:
    return lambda text: text.startswith(prefix)


async def walk_step_mode(window: MainWindow, checks: Checks) -> None:
    QTest.keyClick(window, Qt.Key.Key_F9)
    await log_in(window, "alice", "push" + DEMO_PASSWORD)
    narration, held = window.narration, []
    clock = window.suite.clock
    for step in range(1, 8):
        if step == 5:  # the user decides on the phone; step mode holds the answer
            (await request_up(window, "alice-pixel")).approve_button.click()
        title = f"Step {step} "
        await until(narration.shown, narration.heading.text, _starts(title))
        paused = isinstance(clock, SystemClock) and clock.paused
        held.append(step if paused else -step)
        QTest.keyClick(window, Qt.Key.Key_PageDown)
    phase = await settled(window)
    checks.report(held == list(range(1, 8)), f"step mode held steps {held} with the clock paused")
    checks.report(phase == "accepted", f"step-mode login {phase}")
    QTest.keyClick(window, Qt.Key.Key_F9)


async def fault_and_recovery(window: MainWindow, checks: Checks) -> None:
    """APNs BadDeviceToken from the Faults tab, then the phone's one-click recovery."""
    panel, bob = window.faults, window.phones.cards["bob-iphone"]
    await until(panel.changed, lambda: panel.described, lambda d: "apns" in d)
    token = window.suite.phones["bob-iphone"].push_token
    panel.fill("apns", "error", token=token, error="BadDeviceToken", count=1)
    panel.add_button.click()
    await until(panel.changed, panel.active.topLevelItemCount, lambda n: n == 1)
    await log_in(window, "bob", "NoPIN" + DEMO_PASSWORD)
    phase = await settled(window)
    message = window.login_panel.model.state.message
    checks.report(
        phase != "accepted" and "BadDeviceToken" in message,
        f"a BadDeviceToken from the fault panel fails bob's login: {message}",
    )
    await until(bob.views.changed, lambda: bob.register_push_button.isVisibleTo(bob), bool)
    bob.register_push_button.click()
    await until(bob.views.changed, lambda: bob.views.view.app.push_registered, bool)
    await log_in(window, "bob", "NoPIN" + DEMO_PASSWORD)
    phase = await answer(window, "bob-iphone", approve=True)
    checks.report(phase == "accepted", f"bob registers for push again in one click: {phase}")


async def drive(checks: Checks, prestart: Prestart | None) -> None:
    with contextlib.ExitStack() as stack:
        if prestart is None:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="pushsim-self-test-"))
            workspace = Workspace(Path(folder) / "workspace")
        else:  # begun at process start on a fresh folder of the caller's
            workspace = prestart.workspace
        suite = Suite(workspace, prestart=prestart)
        window = MainWindow(suite, freeze_heap=True)
        window.resize(1280, 720)
        window.show()
        mark("window built and shown; the suite starts")
        try:
            await suite.start(reset=True)
            ready = window.ready_seconds if window.ready_seconds is not None else float("inf")
            print(f"ready in {ready:.2f} s", flush=True)
            checks.report(ready <= READY_LIMIT, f"ready within {READY_LIMIT:g} s of process start")
            await log_in(window, "alice", "push" + DEMO_PASSWORD)
            phase = await answer(window, "alice-pixel", approve=True)
            checks.report(phase == "accepted", f"alice approves on her Android phone: {phase}")
            await log_in(window, "bob", "NoPIN" + DEMO_PASSWORD)
            phase = await answer(window, "bob-iphone", approve=False)
            checks.report(phase == "refused", f"bob rejects on his iPhone: {phase}")
            arrows = window.flow.shown.arrows if window.flow.shown else ()
            checks.report(
                [a.step for a in arrows] == [1, 2, 3, 4, 5, 6, 7], "the diagram shows steps 1-7"
            )
            await walk_step_mode(window, checks)
            await fault_and_recovery(window, checks)
            from app.activation_wizard_driver import activate_in_wizard  # it imports ``until``

            window.open_wizard()
            phone = await activate_in_wizard(window.wizard, user_id="carol", pin="2468")
            pushed = phone.app.state.core_registered and phone.name in window.phones.cards
            checks.report(pushed, f"one activation through the wizard: {phone.name}")
        except Exception as exc:  # a check that could not run is a failed check
            checks.report(False, f"{type(exc).__name__}: {exc}")
        finally:
            await window.aclose()
            await suite.stop()
            window.close()


def run_self_test(prestart: Prestart | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    checks = Checks()
    qasync.run(drive(checks, prestart))
    print("self-test passed" if checks.failed == 0 else f"self-test: {checks.failed} FAILED")
    return 0 if checks.failed == 0 else 1
