"""The server console: services, domains, push apps, users with their authenticators, sessions.

``read_console(suite)`` takes a snapshot through the core's directory service
(read-only, Qt-free); ``ServerConsole`` draws the latest snapshot as a tree and
takes a new one when the core reports a change (admin, activation,
authenticator, login or session events), at most one read at a time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QGroupBox, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from app.background import BackgroundTasks
from app.event_log_model import EventFeed
from core.events import Event
from core.storage.records import DomainRecord, UserRecord
from core.storage.repo_sessions import SessionQuery

if TYPE_CHECKING:
    from simulators.suite import Suite

RECENT_SESSIONS = 8
REFRESH_PREFIXES = ("admin.", "activation.", "authenticator.", "login.", "session.", "suite.")
REFRESH_DELAY_MS = 150  # coalesce a burst of events into one read
LABEL_WIDTH = 78


@dataclass(frozen=True)
class Row:
    """One line: ``text`` alone spans the tree; with ``value`` it is a label and a value."""

    text: str
    value: str = ""
    children: tuple[Row, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ConsoleSnapshot:
    sections: tuple[tuple[str, tuple[Row, ...]], ...]
    taken: float


def _user_state(user: UserRecord, pushes: int, domain: DomainRecord) -> str:
    if user.locked:
        state = "locked"
    else:
        state = f"{user.failed_attempts} wrong passwords" if user.failed_attempts else "ok"
    if pushes:
        cap = domain.push_rate_limit
        state += f" · {pushes}/{cap} pushes in {domain.push_rate_window} s"
        state += " (push rate limit reached)" if pushes >= cap else ""
    return state


async def read_console(suite: Suite) -> ConsoleSnapshot:
    directory = suite.core.service.directory
    services = (
        Row("core", suite.core.url),
        Row("FCM", suite.fcm.url, (Row("control token", suite.fcm.control_token),)),
        Row("APNs", suite.apns.url, (Row("control token", suite.apns.control_token),)),
        Row("files", str(suite.workspace.root)),
    )
    domains = tuple(
        Row(
            f"{domain.name} · app {domain.mobile_app_name}",
            children=tuple(Row(f"{kw} → {need}") for kw, need in domain.keywords.items()),
        )
        for domain in await directory.list_domains()
    )
    push_apps = tuple(
        Row(f"{app.app_id} ({app.platform})") for app in await directory.list_push_apps()
    )
    authenticators = await directory.list_authenticators()
    listed = await directory.list_users()
    pushes = [await directory.recent_pushes(user) for user in listed]
    users = tuple(
        Row(
            f"{user.user_id}@{user.domain} · {_user_state(user, *recent)}",
            children=tuple(
                Row(
                    f"{a.serial} · {a.platform} · {a.status}"
                    + ("" if a.has_push_registration else " · no push token")
                )
                for a in authenticators
                if a.user_id == user.user_id and a.domain == user.domain
            )
            or (Row("no authenticator"),),
        )
        for user, recent in zip(listed, pushes, strict=True)
    )
    sessions = tuple(
        Row(
            f"{time.strftime('%H:%M:%S', time.localtime(s.created))} {s.user_id} · {s.status}",
            children=(Row(s.reason or f"request {s.request_id}"),),
        )
        for s in await directory.list_sessions(SessionQuery(limit=RECENT_SESSIONS))
    ) or (Row("none yet"),)
    return ConsoleSnapshot(
        sections=(
            ("Services", services),
            ("Domains", domains),
            ("Push apps", push_apps),
            ("Users and authenticators", users),
            ("Recent sessions", sessions),
        ),
        taken=time.time(),
    )


class ServerConsole(QGroupBox):
    shown = Signal(object)  # the ConsoleSnapshot just drawn (tests wait on it)

    def __init__(
        self, suite: Suite, feed: EventFeed, tasks: BackgroundTasks, parent: QWidget | None = None
    ) -> None:
        super().__init__("Server console", parent)
        self.setObjectName("serverConsole")
        self.suite = suite
        self.tasks = tasks
        self.tree = QTreeWidget()
        self.tree.setObjectName("consoleTree")
        self.tree.setColumnCount(2)
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(True)
        self.tree.setIndentation(14)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.tree)
        self._live = False
        self._reading = False
        self._stale = False
        self._soon = QTimer(self, singleShot=True, interval=REFRESH_DELAY_MS)
        self._soon.timeout.connect(self.refresh)
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

    def _on_failed(self, error: BaseException) -> None:
        self.show_message(f"console read failed: {error}")

    def show_snapshot(self, snapshot: ConsoleSnapshot) -> None:
        tree = self.tree
        tops = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
        collapsed = {top.text(0) for top in tops if top is not None and not top.isExpanded()}
        tree.clear()
        for title, rows in snapshot.sections:
            top = QTreeWidgetItem(tree, [title])
            top.setFirstColumnSpanned(True)
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            for row in rows:
                _add_row(top, row)
            top.setExpanded(title not in collapsed)
        tree.setColumnWidth(0, LABEL_WIDTH)
        self.shown.emit(snapshot)


def _add_row(parent: QTreeWidgetItem, row: Row) -> None:
    item = QTreeWidgetItem(parent, [row.text, row.value])
    item.setFirstColumnSpanned(not row.value)
    item.setToolTip(0, f"{row.text}  {row.value}".strip())
    item.setToolTip(1, row.value)
    for child in row.children:
        _add_row(item, child)
    item.setExpanded(True)
