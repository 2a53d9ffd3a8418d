"""The server console: services, domains, push apps, users with their authenticators, sessions.

``read_console(suite)`` (``console_model``) takes a snapshot through the core's
directory service; ``ServerConsole`` draws the latest snapshot as a tree and
takes a new one when the core reports a change (admin, activation,
authenticator, login or session events), at most one read at a time, and every
second while a cool-down or push wait counts down. A row's context menu
(``console_actions``) acts on it; a form opens in the area under the tree.
Rows wrap: no state is cut, and each has its whole text as a tooltip.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QLabel,
    QMenu,
    QScrollArea,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.background import BackgroundTasks
from app.console_actions import ConsoleActions, FormStep, Step
from app.console_forms import ConsoleForm
from app.console_model import ConsoleSnapshot, Row, Target, read_console
from app.event_log_model import EventFeed
from app.styling import named
from core.events import Event

if TYPE_CHECKING:
    from simulators.suite import Suite

REFRESH_PREFIXES = ("admin.", "activation.", "authenticator.", "login.", "session.", "suite.")
REFRESH_DELAY_MS = 150  # coalesce a burst of events into one read
COUNTDOWN_MS = 1000  # a cool-down's seconds left, read again
LABEL_WIDTH = 78
TARGET_ROLE = Qt.ItemDataRole.UserRole


class ServerConsole(QGroupBox):
    shown = Signal(object)  # the ConsoleSnapshot just drawn (tests wait on it)
    said = Signal(str)  # an action's outcome, shown in the status line
    opened = Signal(object)  # the ConsoleForm just opened

    def __init__(
        self, suite: Suite, feed: EventFeed, tasks: BackgroundTasks, parent: QWidget | None = None
    ) -> None:
        super().__init__("Server console", parent)
        self.setObjectName("serverConsole")
        self.suite = suite
        self.tasks = tasks
        self.console_actions = ConsoleActions(suite)
        self.tree = QTreeWidget()
        self.tree.setObjectName("consoleTree")
        self.tree.setColumnCount(2)
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(True)
        self.tree.setIndentation(14)
        self.tree.setWordWrap(True)
        self.tree.setUniformRowHeights(False)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._menu_at)
        self.status = named(
            QLabel("right-click a user, authenticator, domain or push app"), "statusText"
        )
        self.status.setWordWrap(True)
        self.form_area = QScrollArea()
        self.form_area.setObjectName("consoleFormArea")
        self.form_area.setWidgetResizable(True)
        self.form_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.form_area.hide()
        self.form: ConsoleForm | None = None
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.tree)
        split.addWidget(self.form_area)
        split.setChildrenCollapsible(False)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(split, 1)
        layout.addWidget(self.status)
        self._live = False
        self._reading = False
        self._stale = False
        self._soon = QTimer(self, singleShot=True, interval=REFRESH_DELAY_MS)
        self._soon.timeout.connect(self.refresh)
        self._tick = QTimer(self, singleShot=True, interval=COUNTDOWN_MS)
        self._tick.timeout.connect(self.refresh)
        self.show_message("starting the validation core…")
        feed.received.connect(self._on_event)

    def start(self) -> None:
        """The suite is up: read now, and again whenever the core reports a change."""
        self._live = True
        self.refresh()

    def stop(self) -> None:
        """No more reads (the window is closing)."""
        self._live = False
        self._soon.stop()
        self._tick.stop()

    def show_message(self, text: str) -> None:
        self.tree.clear()
        item = QTreeWidgetItem(self.tree, [text])
        item.setFirstColumnSpanned(True)
        item.setToolTip(0, text)

    def _on_event(self, event: Event) -> None:
        if self._live and event.kind.startswith(REFRESH_PREFIXES):
            self._soon.start()

    def refresh(self) -> None:
        if not self._live or self.tasks.closed:
            return
        if self._reading:
            self._stale = True  # read again once this one is done
            return
        self._reading = True
        self.tasks.spawn(self._read(), name="server console", on_error=self._on_failed)

    async def _read(self) -> None:
        try:
            snapshot = await read_console(self.suite)
        finally:
            self._reading = False
        self.show_snapshot(snapshot)
        if self._stale:
            self._stale = False
            self.refresh()
        elif snapshot.counting and self._live:
            self._tick.start()

    def _on_failed(self, error: BaseException) -> None:
        self.show_message(f"console read failed: {error}")

    def show_snapshot(self, snapshot: ConsoleSnapshot) -> None:
        tree = self.tree
        tops = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
        collapsed = {top.text(0) for top in tops if top is not None and not top.isExpanded()}
        targets = dict(snapshot.section_targets)
        tree.clear()
        for title, rows in snapshot.sections:
            top = QTreeWidgetItem(tree, [title])
            top.setFirstColumnSpanned(True)
            if title in targets:
                top.setData(0, TARGET_ROLE, targets[title])
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            for row in rows:
                _add_row(top, row)
            top.setExpanded(title not in collapsed)
        tree.setColumnWidth(0, LABEL_WIDTH)
        self.shown.emit(snapshot)

    # -- actions --------------------------------------------------------------------------
    def item_where(self, text: str) -> QTreeWidgetItem:
        """The first row whose text contains ``text`` (tests and the self-test use it)."""
        found = self.tree.findItems(text, Qt.MatchFlag.MatchContains | Qt.MatchFlag.MatchRecursive)
        if not found:
            raise LookupError(f"no console row with {text!r}")
        return found[0]

    def menu_for(self, item: QTreeWidgetItem) -> QMenu | None:
        target = item.data(0, TARGET_ROLE)
        if not isinstance(target, Target):
            return None
        menu = QMenu(self.tree)
        for step in self.console_actions.for_target(target):
            action = menu.addAction(step.label)
            action.triggered.connect(lambda _=False, s=step: self.run(s))
        return menu

    def _menu_at(self, point: QPoint) -> None:
        item = self.tree.itemAt(point)
        menu = None if item is None else self.menu_for(item)
        if menu is not None:
            menu.popup(self.tree.viewport().mapToGlobal(point))  # not exec(): no nested loop

    def run(self, step: Step | FormStep) -> None:
        """Do a menu entry: a step at once, or open its form."""
        if isinstance(step, Step):
            self.tasks.spawn(self._do(step), name=step.label, on_error=self._refused)
        else:
            self.tasks.spawn(self._open(step), name=step.label, on_error=self._refused)

    async def _do(self, step: Step) -> None:
        self._say(await step.run())
        self.refresh()

    async def _open(self, step: FormStep) -> None:
        spec = await step.build()
        self.close_form()
        form = ConsoleForm(spec, self.tasks)
        form.done.connect(self._form_done)
        form.cancelled.connect(self.close_form)
        self.form = form
        self.form_area.setWidget(form)
        self.form_area.show()
        self.opened.emit(form)

    def _form_done(self, message: str) -> None:
        self.close_form()
        self._say(message)
        self.refresh()

    def close_form(self) -> None:
        if self.form is not None:
            self.form_area.takeWidget()
            self.form.deleteLater()
            self.form = None
        self.form_area.hide()

    def _say(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setProperty("error", error)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.said.emit(text)

    def _refused(self, error: BaseException) -> None:
        self._say(f"refused: {getattr(error, 'reason', error)}", error=True)


def _add_row(parent: QTreeWidgetItem, row: Row) -> None:
    item = QTreeWidgetItem(parent, [row.text, row.value])
    item.setFirstColumnSpanned(not row.value)
    item.setToolTip(0, f"{row.text}  {row.value}".strip())
    item.setToolTip(1, row.value)
    if row.target is not None:
        item.setData(0, TARGET_ROLE, row.target)
    for child in row.children:
        _add_row(item, child)
    item.setExpanded(True)
