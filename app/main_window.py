"""The main window: server console | login client and flow log | the phones.

``MainWindow(suite)`` can be built before the suite has started: it listens to
the suite's events from the first one (so start-up shows in the log), shows
"starting…" everywhere, and fills in the console, the login client and the
phone cards when ``suite.ready`` arrives (or at once, if the suite already
runs). It owns no business state: the panels read the suite's models and
events, and every action is a call on them run by ``BackgroundTasks``.
``aclose()`` cancels what the window started; the caller stops the suite.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QGroupBox,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.activation_wizard import ActivationWizard
from app.attack_panel import AttackPanel
from app.background import BackgroundTasks
from app.demo_reset_bar import ResetBar
from app.event_log_model import EventFeed, EventLogModel
from app.event_log_view import EventLogView
from app.fault_panel import FaultPanel
from app.flow_panel import FlowPanel
from app.login_panel import LoginModel, LoginPanel
from app.menus import build_menus, shortcut_rows
from app.message_inspector import MessageInspector
from app.phone_settings import PhoneSettingsPanel
from app.phone_strip import PhonePanel
from app.scenario_panel import ScenarioPanel
from app.scrolling_tabs import ScrollingTabs
from app.server_console import ServerConsole
from app.stage_room import StageRoom
from app.startup import freeze_startup_heap, mark, process_age, report_marks
from app.step_mode import NarrationPanel, NextKeys
from app.theme import ThemeError, load_theme, qt_palette, stylesheet
from app.view_modes import PresenterLayout, ViewSettings, ViewState
from core.events import Event
from core.seed import DEMO_DOMAIN, DEMO_PASSWORD, DEMO_USERS
from simulators.phone.event_kinds import SuiteEvent
from simulators.session_flow import FlowArrow, SessionFlow
from simulators.session_report import session_report_html
from simulators.suite import DEMO_PIN

if TYPE_CHECKING:
    from simulators.suite import Suite

WINDOW_TITLE = "PushSim — push-notification two-step authentication"


def demo_hint() -> str:
    users = " · ".join(f"{u.user_id}: {' / '.join(u.keywords)}" for u in DEMO_USERS)
    return f"{users} · password {DEMO_PASSWORD} (e.g. PIN{DEMO_PASSWORD}) · phone PIN {DEMO_PIN}"


class MainWindow(QMainWindow):
    closing = Signal()
    view_changed = Signal(object)  # ViewState, once applied

    def __init__(
        self,
        suite: Suite,
        parent: QWidget | None = None,
        *,
        prefs_file: Path | None = None,
        freeze_heap: bool = False,
    ) -> None:
        """``freeze_heap``: the process's one window freezes the start-up heap once ready
        (``app.startup.freeze_startup_heap``); tests, with many windows, leave it off."""
        super().__init__(parent)
        self.suite = suite
        self.setWindowTitle(WINDOW_TITLE)
        self.setObjectName("mainWindow")
        self._freeze_heap = freeze_heap
        self.view_settings = ViewSettings(prefs_file)
        self.view = self.view_settings.load()
        self.tasks = BackgroundTasks(on_error=self._on_task_failed)
        self.feed = EventFeed(suite.events, self)
        self.event_log = EventLogModel(self)
        self.event_log.extend(suite.events.history)
        self.feed.received.connect(self.event_log.append)
        self.feed.received.connect(self._on_event)

        self.console = ServerConsole(suite, self.feed, self.tasks)
        self.login_model = LoginModel(self.tasks, self)
        first = DEMO_USERS[0]
        self.login_panel = LoginPanel(
            self.login_model,
            domain=DEMO_DOMAIN,
            user_id=first.user_id,
            passkey=first.keywords[0] + DEMO_PASSWORD,
            hint=demo_hint(),
        )
        self.log_view = EventLogView(self.event_log)
        self.flow = FlowPanel(suite.events, self.feed)
        self.inspector = MessageInspector()
        self.flow.arrow_selected.connect(self._on_arrow_selected)
        self.flow.recorder.on_change(self.inspector.refresh)
        self.details = ScrollingTabs()  # every page added scrolls (app/scrolling_tabs)
        self.details.setObjectName("detailTabs")
        self.details.addTab(self.inspector, "Inspector")
        self.details.addTab(self.log_view, "Technical log")
        self.narration = NarrationPanel(suite.gate)
        self.next_keys = NextKeys(self.narration)
        self.details.addTab(self.narration, "Step mode")
        self.details.setTabVisible(self.details.indexOf(self.narration), False)
        stage = QSplitter(Qt.Orientation.Vertical)
        stage.setObjectName("stageSplit")
        stage.addWidget(self.flow)
        stage.addWidget(self.details)
        # a taller window gives its height to the diagram; the inspector scrolls
        stage.setStretchFactor(0, 1)
        stage.setStretchFactor(1, 0)
        self.details.setMinimumHeight(120)
        self.details.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
        self.phones = PhonePanel()
        self.scenarios = ScenarioPanel(suite, self.feed, self.tasks, self.phones, self.login_model)
        self.details.addTab(self.scenarios, "Scenarios")
        self.attacks = AttackPanel(suite, self.flow, self.tasks)
        self.details.addTab(self.attacks, "Attacks")
        self.faults = FaultPanel(suite, self.feed, self.tasks)
        self.details.addTab(self.faults, "Faults")
        self.phone_settings = PhoneSettingsPanel(suite, self.feed, self.tasks)
        self.details.addTab(self.phone_settings, "Phone settings")
        self.wizard = ActivationWizard(suite, self.tasks, self.phones, self.feed)
        self.details.addTab(self.wizard, "New phone")
        self.stage = stage
        self.room = StageRoom(stage, self.details, self.flow)
        workbench = (self.scenarios, self.attacks, self.faults, self.phone_settings, self.wizard)
        self.room.workbench = workbench
        self.room.inspector = self.inspector
        self.details.currentChanged.connect(self.room.tab_changed)
        phones_box = QGroupBox("Phones")
        phones_box.setObjectName("phonesBox")
        phones_layout = QVBoxLayout(phones_box)
        phones_layout.setContentsMargins(4, 6, 4, 4)
        phones_layout.addWidget(self.phones)

        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        centre_layout.addWidget(self.login_panel)
        centre_layout.addWidget(stage, 1)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.setObjectName("mainSplit")
        split.setChildrenCollapsible(False)
        split.addWidget(self.console)
        split.addWidget(centre)
        split.addWidget(phones_box)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 3)  # a wider window: 3 parts to the stage,
        split.setStretchFactor(2, 2)  # 2 to the phones, which then grow
        split.setSizes([270, 610, 520])
        self.setCentralWidget(split)
        self._splitters = {"main": split, "stage": stage}
        self.presenter_layout = PresenterLayout(split, stage)

        self.status_text = QLabel("Starting PushSim…")
        self.status_text.setObjectName("statusText")
        self.statusBar().addWidget(self.status_text, 1)
        self.reset_bar = ResetBar(suite.reset_demo, self.tasks, self.status_text.setText)
        self.statusBar().addWidget(self.reset_bar, 2)
        self.menu_actions = build_menus(self, self)
        self.apply_view(self.view)
        self.restored_layout = self.view_settings.restore_layout(self, self._splitters)
        self._ready = False
        self.ready_seconds: float | None = None
        if suite.startup_seconds is not None:  # already running
            self._on_suite_ready()

    @property
    def ready(self) -> bool:
        return self._ready

    # -- suite -> view -------------------------------------------------------------
    def _on_event(self, event: Event) -> None:
        if event.kind == SuiteEvent.READY and not self._ready:
            self._on_suite_ready()

    def _on_suite_ready(self) -> None:
        self._ready = True
        suite = self.suite
        self.console.start()
        self.faults.start()
        self.phone_settings.start()
        self.login_model.connect_core(suite.core.url, suite.pki.ca_file, suite.gate)
        for phone in suite.phones.values():
            self.phones.add_phone(phone, suite.events, self.tasks)
        self.phones.set_placeholder("no phones")
        self.ready_seconds = process_age()  # from process start: what the user waited
        mark("window ready: a login can be typed")
        report_marks()
        if self._freeze_heap:  # after the figure: it is not start-up work
            QTimer.singleShot(0, freeze_startup_heap)
        servers = suite.startup_seconds or 0.0
        self.status_text.setText(
            f"Ready in {self.ready_seconds:.2f} s (servers {servers:.2f} s) · core {suite.core.url}"
            f" · workspace {suite.workspace.root}"
        )

    def open_wizard(self) -> None:
        """File › New phone…: the activation wizard, with the stage's height for its QR codes."""
        self.room.fold_for(self.wizard)

    def _on_arrow_selected(self, arrow: FlowArrow, flow: SessionFlow) -> None:
        self.inspector.show_arrow(arrow, flow)
        self.details.setCurrentWidget(self.inspector)
        self.room.give_room()  # the checks need the room; the diagram scrolls

    # -- view: theme, zoom, presenter mode -------------------------------------------
    def apply_view(self, state: ViewState) -> None:
        try:
            theme = load_theme(state.theme)
            sheet = stylesheet(theme, zoom=state.scale)
        except ThemeError as error:  # a broken theme file must not take the window down
            self.status_text.setText(f"theme {state.theme!r} not applied: {error}")
            return
        if state.presenter and not self.view.presenter:
            self.presenter_layout.remember()  # before the bigger fonts clamp the splitters
        self.view = state
        # the palette before the sheet: style-sheeted widgets are polished from it
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.setPalette(qt_palette(theme))
        self.setStyleSheet(sheet)
        self.flow.set_scale(state.scale)
        self.login_panel.set_compact(state.presenter)
        self.details.setMinimumHeight(89 if state.presenter else 120)
        self.phones.set_theme(theme)
        self.console.setVisible(not state.presenter)
        if state.presenter:
            self.flow.set_yielding(False)  # the diagram is the stage
        self.presenter_layout.set(state.presenter)
        self.details.setTabVisible(self.details.indexOf(self.log_view), not state.presenter)
        self.menu_actions["presenter"].setChecked(state.presenter)
        self.menu_actions[f"theme:{state.theme}"].setChecked(True)
        self.view_settings.save(state)
        self.view_changed.emit(state)

    def toggle_step_mode(self, on: bool) -> None:
        """Hold the flow before each step (the suite's gate), narrated; off releases it."""
        app = QApplication.instance()
        tab = self.details.indexOf(self.narration)
        if on:
            self.narration.start()
            if app is not None:
                app.installEventFilter(self.next_keys)
        elif app is not None:
            app.removeEventFilter(self.next_keys)
        self.suite.gate.set_enabled(on)
        self.details.setTabVisible(tab, on)
        if on:
            self.details.setCurrentIndex(tab)
        self.menu_actions["stepMode"].setChecked(on)

    def toggle_presenter(self, on: bool) -> None:
        self.apply_view(replace(self.view, presenter=on))

    def zoom(self, steps: int) -> None:
        self.apply_view(self.view.zoomed(steps))

    def set_theme(self, key: str) -> None:
        self.apply_view(replace(self.view, theme=key))

    def focus_login(self) -> None:
        self.login_panel.user_edit.setFocus()
        self.login_panel.user_edit.selectAll()

    # -- file and help ------------------------------------------------------------------
    def reset_demo(self) -> None:
        """File › Reset to demo data: asks in the status bar (``app/demo_reset_bar``)."""
        if self._ready:
            self.toggle_step_mode(False)
            self.reset_bar.ask()

    def export_session(self) -> None:
        flow = self.flow.shown
        if flow is None:
            self.status_text.setText("No session to export yet: log in first.")
            return
        name = f"pushsim-session-{flow.request_id[:8]}.html"
        path, _ = QFileDialog.getSaveFileName(self, "Export session report", name, "HTML (*.html)")
        if path:
            self.write_session_report(Path(path))

    def write_session_report(self, path: Path, flow: SessionFlow | None = None) -> Path:
        """The shown (or given) session as one self-contained HTML file."""
        chosen = flow or self.flow.shown
        if chosen is None:
            raise ValueError("no session to export")
        path.write_text(session_report_html(chosen), encoding="utf-8")
        self.status_text.setText(f"Session report written to {path}")
        return path

    def show_shortcuts(self) -> None:
        rows = "".join(
            f"<tr><td><b>{keys}</b></td><td>{what}</td></tr>" for keys, what in shortcut_rows()
        )
        QMessageBox.information(
            self, "Keyboard shortcuts", f"<table cellpadding='3'>{rows}</table>"
        )

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            "About PushSim",
            "<b>PushSim</b> simulates push-notification two-step authentication on one "
            "machine: the validation core, mock FCM and APNs, and virtual phones, all on "
            "127.0.0.1 over TLS.",
        )

    def show_startup_error(self, error: BaseException) -> None:
        text = f"PushSim could not start: {type(error).__name__}: {error}"
        self.status_text.setText(text)
        self.status_text.setProperty("error", True)
        self.console.show_message(text)
        self.phones.set_placeholder("no phones: the suite did not start")

    def _on_task_failed(self, error: BaseException) -> None:
        self.status_text.setText(f"{type(error).__name__}: {error}")

    # -- closing -----------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        self.view_settings.save_layout(self, self._splitters)
        self.closing.emit()
        super().closeEvent(event)

    async def aclose(self) -> None:
        """Stop listening and cancel whatever the window started (not the suite)."""
        self.toggle_step_mode(False)  # nothing may stay held once the window is gone
        self.narration.close_panel()
        self.attacks.close_panel()
        self.feed.close()
        self.console.stop()
        for card in self.phones.cards.values():
            card.stop()
        await self.login_model.aclose()
        await self.faults.aclose()  # lets its calls finish: no request cut mid-flight
        await self.tasks.aclose()
