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

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, Signal
from PySide6.QtGui import QCloseEvent, QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHeaderView,
    QLabel,
    QMainWindow,
    QPlainTextEdit,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.background import BackgroundTasks
from app.event_log_model import (
    KIND,
    ROUTE,
    STEP,
    SUMMARY,
    TIME,
    EventFeed,
    EventLogModel,
    describe_event,
)
from app.flow_panel import FlowPanel
from app.login_panel import LoginModel, LoginPanel
from app.message_inspector import MessageInspector
from app.phone_panel import PhonePanel
from app.server_console import ServerConsole
from core.events import Event
from core.seed import DEMO_DOMAIN, DEMO_PASSWORD, DEMO_USERS
from simulators.phone.event_kinds import SuiteEvent
from simulators.session_flow import FlowArrow, SessionFlow
from simulators.suite import DEMO_PIN

if TYPE_CHECKING:
    from simulators.suite import Suite

STYLES_DIR = Path(__file__).resolve().parents[1] / "resources" / "styles"
WINDOW_TITLE = "PushSim — push-notification two-step authentication"


def stylesheet(directory: Path = STYLES_DIR) -> str:
    """The numbered ``.qss`` files of ``directory``, joined in order ("" if none)."""
    if not directory.is_dir():
        return ""
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(directory.glob("*.qss")))


def demo_hint() -> str:
    users = " · ".join(f"{u.user_id}: {' / '.join(u.keywords)}" for u in DEMO_USERS)
    return f"{users} · password {DEMO_PASSWORD} (e.g. PIN{DEMO_PASSWORD}) · phone PIN {DEMO_PIN}"


class EventLogView(QGroupBox):
    """The live flow log and, below it, the selected event's message."""

    def __init__(self, model: EventLogModel, parent: QWidget | None = None) -> None:
        super().__init__("Event / flow log", parent)
        self.setObjectName("eventLog")
        self.model = model
        self.table = QTableView()
        self.table.setObjectName("eventTable")
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(False)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(22)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        for column, width in ((TIME, 88), (STEP, 44), (ROUTE, 124), (KIND, 176)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.table.setColumnWidth(column, width)
        header.setSectionResizeMode(SUMMARY, QHeaderView.ResizeMode.Stretch)

        self.detail = QPlainTextEdit()
        self.detail.setObjectName("eventDetail")
        self.detail.setReadOnly(True)
        self.detail.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.detail.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.detail.setPlaceholderText(
            "Select an event to see its message: decoded header, decrypted body, raw bytes."
        )

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(split)

        self._follow = True
        model.rowsAboutToBeInserted.connect(self._before_insert)
        model.rowsInserted.connect(self._after_insert)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)

    def _before_insert(self) -> None:
        bar = self.table.verticalScrollBar()
        self._follow = bar.value() >= bar.maximum() - 2

    def _after_insert(self) -> None:
        if self._follow:
            self.table.scrollToBottom()

    def _on_selection(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self.show_event(self.model.event_at(rows[0].row()))
        else:
            self.detail.clear()

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0, QModelIndex()))

    def show_event(self, event: Event) -> None:
        self.detail.setPlainText(describe_event(event))


class MainWindow(QMainWindow):
    closing = Signal()

    def __init__(self, suite: Suite, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.suite = suite
        self.setWindowTitle(WINDOW_TITLE)
        self.setObjectName("mainWindow")
        self.setStyleSheet(stylesheet())
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
        self.details = QTabWidget()
        self.details.setObjectName("detailTabs")
        self.details.addTab(self.inspector, "Inspector")
        self.details.addTab(self.log_view, "Technical log")
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
        split.setStretchFactor(1, 1)
        split.setStretchFactor(2, 0)
        split.setSizes([270, 610, 520])
        self.setCentralWidget(split)

        self.status_text = QLabel("Starting PushSim…")
        self.status_text.setObjectName("statusText")
        self.statusBar().addWidget(self.status_text, 1)
        self._ready = False
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
        self.login_model.connect_core(suite.core.url, suite.pki.ca_file)
        for phone in suite.phones.values():
            self.phones.add_phone(phone, suite.events, self.tasks)
        self.phones.set_placeholder("no phones")
        seconds = suite.startup_seconds or 0.0
        self.status_text.setText(
            f"Ready in {seconds:.2f} s · core {suite.core.url} · workspace {suite.workspace.root}"
        )

    def _on_arrow_selected(self, arrow: FlowArrow, flow: SessionFlow) -> None:
        self.inspector.show_arrow(arrow, flow)
        self.details.setCurrentWidget(self.inspector)

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
        self.closing.emit()
        super().closeEvent(event)

    async def aclose(self) -> None:
        """Stop listening and cancel whatever the window started (not the suite)."""
        self.feed.close()
        self.console.stop()
        for card in self.phones.cards.values():
            card.stop()
        await self.login_model.aclose()
        await self.tasks.aclose()
