"""The first desktop window: event log model, lock screen, a whole login through the widgets.

The GUI tests run the suite and the window on one qasync loop, the way the app
does: a plain test makes a ``qasync.QEventLoop`` and runs one coroutine on it
(pytest-asyncio's loop is not a Qt loop). Waiting is on signals — a phone's
view model (``PhoneViewFeed.changed``), the login model, the console, a
card's message — awaited as asyncio futures under ``asyncio.timeout``:
``qtbot.waitSignal``/``waitUntil`` inside a coroutine would start a nested Qt
loop (see STACK-NOTES). ``PUSHSIM_SCREENSHOTS=1`` also saves
docs/screenshots/main-window.png.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest
import qasync
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app import gui
from app.event_log_model import EventLogModel, describe_event, hexdump
from app.lock_screen import lock_screen
from app.login_panel import LoginPanel, LoginState
from app.main_window import MainWindow
from app.phone_panel import PhoneCard
from app.self_test import until
from core.events import Event, MessageDetails
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
T = TypeVar("T")


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


async def signalled(
    signal: Any,
    value: Callable[[], T],
    check: Callable[[T], bool],
    what: str,
    timeout: float = WAIT,  # noqa: ASYNC109
) -> T:
    """``value()`` once ``check`` holds, re-read each time ``signal`` fires (no polling)."""
    return await until(signal, value, check, what, timeout)


async def view_where(card: PhoneCard, check: Callable[[PhoneView], bool], what: str) -> PhoneView:
    """Wait on the phone's published view model (the card has redrawn by then)."""
    return await signalled(card.views.changed, lambda: card.views.view, check, what)


async def login_where(panel: LoginPanel, check: Callable[[LoginState], bool], what: str) -> None:
    await signalled(panel.model.changed, lambda: panel.model.state, check, what)


async def card_says(card: PhoneCard, text: str) -> None:
    await signalled(card.said, card.message_label.text, lambda shown: text in shown, repr(text))


async def console_shows(window: MainWindow, text: str, *more: str) -> None:
    def listed(tree: str) -> bool:
        return all(part in tree for part in (text, *more))

    await signalled(window.console.shown, lambda: tree_text(window), listed, f"console: {text}")


def request_shown(view: PhoneView) -> bool:
    """The lock screen shows an answerable, opened request (Approve is up)."""
    note = view.shown_notification
    return note is not None and note.answerable and note.request is not None


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
        details=MessageDetails(header={"type": "REQUEST"}, body={"title": "Transaction Request"}),
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
            push_unregistered=False,
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
    async def started(window: MainWindow) -> None:
        assert window.login_panel.status_label.text() == "starting…"
        assert not window.login_panel.login_button.isEnabled()
        await window.console.suite.start()
        await drive(window)

    run_window(qapp, tmp_path, started)


def run_window(
    qapp: QApplication,
    tmp_path: Path,
    main: Callable[[MainWindow], Coroutine[Any, Any, None]],
    timeout: float = 90,
) -> None:
    """``main(window)`` over a suite not started yet; the window closes last."""

    async def scenario() -> None:
        suite = Suite(Workspace(tmp_path / "workspace"), options=suite_options())
        window = MainWindow(suite)
        window.resize(*gui.WINDOW_SIZE)
        window.show()
        try:
            async with asyncio.timeout(timeout):
                await main(window)
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
    mocks = window.console.suite
    await console_shows(
        window, "alice@demo", "PS", mocks.fcm.control_token, mocks.apns.control_token
    )

    # alice (Android, FCM): keyword "push", device protection, one tap
    alice = window.phones.cards["alice-pixel"]
    assert alice.empty_label.isVisible()
    panel.user_edit.setText("alice")
    panel.password_edit.setText("push" + DEMO_PASSWORD)
    panel.login_button.click()
    await view_where(alice, request_shown, "alice's phone to show the request")
    assert alice.approve_button.isVisible()
    assert alice.title_label.text() == "Transaction Request"
    assert "alice@demo" in alice.context_label.text()
    await login_where(panel, lambda state: state.phase == "pending", "the login to be pending")
    assert panel.status_label.text() == "pending"
    assert alice.approve_button.isEnabled()
    alice.approve_button.click()
    await login_where(panel, lambda state: state.phase == "accepted", "the login accepted")
    assert panel.status_label.text() == "accepted"
    await view_where(
        alice,
        lambda view: view.notifications[-1].status == NotificationStatus.APPROVED,
        "alice's phone to say approved",
    )
    assert "approved" in alice.state_label.text()
    assert not alice.approve_button.isVisible()

    # bob (iOS, APNs): keyword "PIN"; a wrong PIN is shown on the phone, then the right one
    bob = window.phones.cards["bob-iphone"]
    panel.user_edit.setText("bob")
    panel.password_edit.setText("PIN" + DEMO_PASSWORD)
    panel.login_button.click()
    await view_where(bob, request_shown, "bob's phone to show the request")
    assert bob.approve_button.isVisible()
    assert bob.approve_button.isEnabled()
    assert "needs the PIN" in bob.state_label.text()
    assert not bob.pin_row.isVisible()
    bob.approve_button.click()
    await view_where(bob, lambda view: view.prompt is not None, "the PIN prompt")
    assert bob.pin_row.isVisible()
    assert not bob.finger_row.isVisible()
    bob.pin_edit.setText("0000")
    bob.pin_button.click()
    await card_says(bob, "wrong PIN")
    assert "4 attempts left" in bob.message_label.text()
    assert panel.status_label.text() in ("sending…", "pending")
    bob.pin_edit.setText(DEMO_PIN)
    bob.pin_button.click()
    await login_where(
        panel,
        lambda state: state.phase == "accepted" and state.user == "bob@demo",
        "bob's login to be accepted",
    )
    assert "bob@demo" in panel.request_label.text()
    await card_says(bob, "accepted")

    # airplane mode is drawn on the phone and reaches the model
    alice.airplane_check.click()
    assert alice.phone.settings.airplane_mode
    await view_where(alice, lambda view: view.airplane_mode, "the airplane mode")
    assert "offline" in alice.network_label.text()
    alice.airplane_check.click()
    await view_where(alice, lambda view: view.online, "the phone back online")
    assert "online" in alice.network_label.text()

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
    await console_shows(window, "accepted")

    if os.environ.get("PUSHSIM_SCREENSHOTS") == "1":
        # every card and panel redraws when its signal fires (awaited above), and
        # grab() paints the window now: nothing is left to wait for
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
    qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}

    class ClosesWhenReady(MainWindow):
        """The real window; it closes itself the moment the suite says it is ready."""

        def _on_suite_ready(self) -> None:
            super()._on_suite_ready()
            seen["suite"] = self.suite
            seen["phones"] = len(self.phones.cards)
            QTimer.singleShot(0, self.close)  # after the ready handling has returned

    monkeypatch.setattr(gui, "MainWindow", ClosesWhenReady)
    code = gui.run(tmp_path / "workspace", reset=True, options=suite_options())
    assert code == 0
    assert "suite" in seen, "the window never became ready"
    assert seen["phones"] == 2
    assert seen["suite"].phones == {}, "closing the window stopped the suite"
    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()
