"""The first desktop window: event log model, lock screen, a whole login through the widgets.

The GUI tests run the suite and the window on one qasync loop, the way the app
does: a plain test makes a ``qasync.QEventLoop`` and runs one coroutine on it
(pytest-asyncio's loop is not a Qt loop). Waiting is asyncio polling under
``asyncio.timeout`` — never ``qtbot.waitUntil`` inside a coroutine, which
would start a nested Qt loop. ``PUSHSIM_SCREENSHOTS=1`` also saves
docs/screenshots/main-window.png.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
import qasync
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app import gui
from app.event_log_model import EventLogModel, describe_event, hexdump
from app.lock_screen import lock_screen
from app.main_window import MainWindow
from core.events import Event
from core.protocol.keys import UnlockProtection
from core.protocol.messages import ChallengeRequest, RequestContext
from core.seed import DEMO_PASSWORD
from core.settings import FAST_TEST_SETTINGS
from core.workspace import Workspace
from simulators.phone import KdfParams
from simulators.phone.identity import Platform
from simulators.phone.inbox import Notification, NotificationSource, NotificationStatus
from simulators.phone.settings import PhoneSettings
from simulators.phone.views import AuthenticatorView, PhoneView, SensorView, UnlockPromptView
from simulators.suite import DEMO_PIN, Suite, SuiteOptions

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "docs" / "screenshots" / "main-window.png"
WAIT = 15.0


def suite_options() -> SuiteOptions:
    return SuiteOptions(core_settings=FAST_TEST_SETTINGS, phone_kdf=KdfParams(n=2**4))


def run_on_qt_loop(qapp: QApplication, main: Coroutine[Any, Any, None]) -> None:
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(main)
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        loop.close()
        asyncio.set_event_loop(None)


async def until(condition: Callable[[], bool], what: str, timeout: float = WAIT) -> None:  # noqa: ASYNC109
    """Poll a widget condition (widgets have no event to await) under a deadline."""
    try:
        async with asyncio.timeout(timeout):
            while not condition():  # noqa: ASYNC110 - polling widgets is the point
                await asyncio.sleep(0.02)
    except TimeoutError:
        raise AssertionError(f"timed out after {timeout} s waiting for {what}") from None


# -- the event log model ---------------------------------------------------------------
def test_event_log_model_shows_fed_events(qtbot: Any) -> None:
    model = EventLogModel(limit=3)
    assert model.rowCount() == 0
    login = Event(
        kind="login.received",
        source="client",
        target="core",
        step=1,
        summary="login for bob@demo (keyword PIN)",
        request_id="r1",
        time=1000.0,
    )
    push = Event(
        kind="phone.notification.received",
        source="phone:bob-iphone",
        target="apns",
        step=4,
        summary="Transaction Request",
        raw="0102ff",
        time=1000.2,
        details={"header": {"type": "REQUEST"}, "body": {"title": "Transaction Request"}},
    )
    with qtbot.waitSignal(model.rowsInserted):
        model.append(login)
    model.append(push)
    assert model.rowCount() == 2
    assert model.columnCount() == 5
    cells = [model.data(model.index(1, column)) for column in range(5)]
    assert cells[1:] == [
        "4",
        "bob-iphone → apns",
        "phone.notification.received",
        "Transaction Request",
    ]
    assert model.data(model.index(0, 2)) == "client → core"

    model.extend(
        Event(kind="tick", source="suite", summary=str(i), time=1001.0 + i) for i in range(2)
    )
    assert model.rowCount() == 3, "the oldest events are dropped past the limit"
    assert model.event_at(0) is push

    ordered = EventLogModel()
    ordered.extend([login, push])
    late = Event(kind="push.attempt", source="core", target="apns", time=1000.1)
    ordered.append(late)  # published after the push arrived, but it happened before
    assert ordered.events == [login, late, push]

    text = describe_event(push)
    assert "── Decoded header ──" in text
    assert '"type": "REQUEST"' in text
    assert "── Decrypted body ──" in text
    assert "Raw message (3 bytes)" in text
    assert "01 02 ff" in text


def test_hexdump_lays_out_sixteen_bytes_a_line() -> None:
    dump = hexdump(bytes(range(20)).hex())
    lines = dump.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("0000  00 01 02")
    assert lines[1].startswith("0010  10 11 12 13")


def test_lock_screen_shows_the_newest_notification_and_the_open_prompt() -> None:
    def note(note_id: str, status: NotificationStatus, **fields: Any) -> Notification:
        return Notification(
            id=note_id,
            request_id=f"r-{note_id}",
            source=NotificationSource.PUSH,
            service="apns",
            title="Transaction Request",
            subject="Tap here",
            received_at=990.0,
            visible=True,
            status=status,
            **fields,
        )

    request = ChallengeRequest(
        request_id="r-n2",
        challenge="ab" * 16,
        user_id="bob",
        domain="demo",
        serial="PS00000001",
        protection=UnlockProtection.PIN,
        expires=1042.5,
        context=RequestContext(client_ip="192.0.2.7", time=990.0),
    )
    view = PhoneView(
        name="bob-iphone",
        platform=Platform.IOS,
        online=True,
        delivery="online",
        airplane_mode=False,
        clock=1000.0,
        settings=PhoneSettings(),
        sensor=SensorView(enrolled=("right-index",), locked_out=False, attempts_left=5),
        app=AuthenticatorView(
            kind="sdk",
            app_id="com.example.sdk",
            installed=True,
            activated=True,
            serial="PS1",
            user_id="bob",
            domain="demo",
            push_registered=True,
            locked=False,
            pin_attempts_left=5,
            activation_step="idle",
            prompt=UnlockPromptView(notification_id="n2", required="pin", offered=("pin",)),
        ),
        notifications=(
            note("n1", NotificationStatus.APPROVED, reason="approved with pin"),
            note("n2", NotificationStatus.OPENED, request=request),
        ),
        auto_responder=None,
    )
    screen = lock_screen(view)
    assert screen.notification is not None
    assert screen.notification.id == "n2"
    assert screen.answerable
    assert screen.prompt_offers == ("pin",)
    assert screen.state_line == "needs the PIN · expires in 42 s"
    assert screen.model_line == "iOS · SDK demo app"
    assert screen.app_line == "PS1 · push registered"


# -- the window over a running suite -----------------------------------------------------
def test_login_and_approve_through_the_window(qapp: QApplication, tmp_path: Path) -> None:
    async def scenario() -> None:
        suite = Suite(Workspace(tmp_path / "workspace"), options=suite_options())
        window = MainWindow(suite)
        window.resize(*gui.WINDOW_SIZE)
        window.show()
        try:
            async with asyncio.timeout(90):
                assert window.login_panel.status_label.text() == "starting…"
                assert not window.login_panel.login_button.isEnabled()
                await suite.start()
                await drive(window)
        finally:
            await window.aclose()
            await suite.stop()
            window.close()

    run_on_qt_loop(qapp, scenario())


async def drive(window: MainWindow) -> None:
    panel = window.login_panel
    assert window.ready
    assert panel.login_button.isEnabled()
    assert window.event_log.rowCount() > 0, "start-up events are in the log"
    await until(
        lambda: "alice@demo" in tree_text(window) and "PS" in tree_text(window),
        "the console to list the users and their authenticators",
    )

    # alice (Android, FCM): keyword "push", device protection, one tap
    alice = window.phones.cards["alice-pixel"]
    assert alice.empty_label.isVisible()
    panel.user_edit.setText("alice")
    panel.password_edit.setText("push" + DEMO_PASSWORD)
    panel.login_button.click()
    await until(lambda: alice.approve_button.isVisible(), "alice's phone to show the request")
    assert alice.title_label.text() == "Transaction Request"
    assert "alice@demo" in alice.context_label.text()
    await until(lambda: panel.status_label.text() == "pending", "the login to show pending")
    await until(lambda: alice.approve_button.isEnabled(), "Approve to be enabled")
    alice.approve_button.click()
    await until(lambda: panel.status_label.text() == "accepted", "the login to be accepted")
    await until(lambda: "approved" in alice.state_label.text(), "alice's phone to say approved")
    assert not alice.approve_button.isVisible()

    # bob (iOS, APNs): keyword "PIN"; a wrong PIN is shown on the phone, then the right one
    bob = window.phones.cards["bob-iphone"]
    panel.user_edit.setText("bob")
    panel.password_edit.setText("PIN" + DEMO_PASSWORD)
    panel.login_button.click()
    await until(
        lambda: bob.approve_button.isVisible() and bob.approve_button.isEnabled(),
        "bob's phone to show the request",
    )
    assert "needs the PIN" in bob.state_label.text()
    assert not bob.pin_row.isVisible()
    bob.approve_button.click()
    await until(lambda: bob.pin_row.isVisible(), "the PIN prompt")
    assert not bob.finger_row.isVisible()
    bob.pin_edit.setText("0000")
    bob.pin_button.click()
    await until(lambda: "wrong PIN" in bob.message_label.text(), "the wrong-PIN message")
    assert "4 attempts left" in bob.message_label.text()
    assert panel.status_label.text() in ("sending…", "pending")
    bob.pin_edit.setText(DEMO_PIN)
    bob.pin_button.click()
    await until(
        lambda: (
            panel.status_label.text() == "accepted" and "bob@demo" in panel.request_label.text()
        ),
        "bob's login to be accepted",
    )
    await until(lambda: "accepted" in bob.message_label.text(), "bob's phone to show the answer")

    # airplane mode is drawn on the phone and reaches the model
    alice.airplane_check.click()
    assert alice.phone.settings.airplane_mode
    await until(lambda: "offline" in alice.network_label.text(), "the airplane mode to show")
    alice.airplane_check.click()
    await until(lambda: "online" in alice.network_label.text(), "the phone to be back online")

    # the flow log has every step; a selected row shows the decoded message
    steps = {event.step for event in window.event_log.events if event.step is not None}
    assert steps == {1, 2, 3, 4, 5, 6, 7}
    rows = [
        row
        for row, event in enumerate(window.event_log.events)
        if event.kind == "challenge.created"
    ]
    window.log_view.select_row(rows[-1])
    detail = window.log_view.detail.toPlainText()
    assert "── Decoded header ──" in detail
    assert "── Raw message (" in detail
    await until(lambda: "accepted" in tree_text(window), "the console to list the session")

    if os.environ.get("PUSHSIM_SCREENSHOTS") == "1":
        await asyncio.sleep(0.3)  # let the last repaints land
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        assert window.grab().save(str(SCREENSHOT))


def tree_text(window: MainWindow) -> str:
    tree = window.console.tree
    texts: list[str] = []

    def walk(item: Any) -> None:
        texts.extend(item.text(column) for column in range(2))
        for i in range(item.childCount()):
            walk(item.child(i))

    for i in range(tree.topLevelItemCount()):
        walk(tree.topLevelItem(i))
    return "\n".join(texts)


# -- the app entry point ------------------------------------------------------------------
def test_run_opens_the_window_and_stops_the_suite_when_it_closes(
    qapp: QApplication, tmp_path: Path
) -> None:
    seen: dict[str, Any] = {"polls": 0}

    def close_when_ready() -> None:
        seen["polls"] += 1
        windows = [w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        if windows and windows[0].ready:
            seen["suite"] = windows[0].suite
            seen["phones"] = len(windows[0].phones.cards)
            windows[0].close()
        elif seen["polls"] < 1200:  # a minute
            QTimer.singleShot(50, close_when_ready)
        else:
            for window in windows:
                window.close()

    QTimer.singleShot(0, close_when_ready)
    code = gui.run(tmp_path / "workspace", reset=True, options=suite_options())
    assert code == 0
    assert "suite" in seen, "the window never became ready"
    assert seen["phones"] == 2
    assert seen["suite"].phones == {}, "closing the window stopped the suite"
    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()
