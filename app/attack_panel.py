"""One-click attacks on the session the flow view shows, and the check that refused each.

The panel follows the flow view's session (``FlowPanel.flow_shown``): the
phone that took part in it is the attacker's source of keys and messages.
Each button runs one attack of ``simulators.attacks`` against the real core;
the result line names the refusing check and the HTTP status, and the core's
own trace of the refusal shows up in the flow view like any other message.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.background import BackgroundTasks
from app.flow_panel import FlowPanel, session_title
from app.styling import named
from simulators.attacks import (
    AttackNotPossible,
    AttackResult,
    SentResponses,
    answer_after_timeout,
    answer_other_session,
    flip_one_byte,
    replay_last,
)
from simulators.phone import Phone
from simulators.phone.errors import PhoneError
from simulators.session_flow import SessionFlow

if TYPE_CHECKING:
    from simulators.suite import Suite

TIMED_OUT = ("timeout", "expired")


class AttackPanel(QWidget):
    attacked = Signal(object)  # AttackResult, once the core answered
    said = Signal(str)  # any line the panel shows (results and "not possible")

    def __init__(
        self, suite: Suite, flow: FlowPanel, tasks: BackgroundTasks, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("attackPanel")
        self.suite, self.flow, self.tasks = suite, flow, tasks
        self.sent = SentResponses()
        self._detach = self.sent.attach(suite.events)
        self.target = named(QLabel("no session yet: log in first"), "attackTarget")
        self.target.setWordWrap(True)
        self.replay_button = named(QPushButton("Replay the last response"), "attackReplay")
        self.flip_button = named(QPushButton("Flip one byte of it"), "attackFlip")
        self.source_combo = named(QComboBox(), "attackSource")
        self.source_combo.setToolTip("The session whose request is signed (A)")
        self.cross_button = named(QPushButton("Send A's response for this session"), "attackCross")
        self.late_button = named(QPushButton("Answer after the timeout"), "attackLate")
        self.results = named(QListWidget(), "attackResults")
        self.results.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Session", self.target)
        form.addRow(self.replay_button)
        form.addRow(self.flip_button)
        form.addRow("Session A", self.source_combo)
        form.addRow(self.cross_button)
        form.addRow(self.late_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("What the core said (newest first):"))
        layout.addWidget(self.results, 1)
        self.replay_button.clicked.connect(lambda: self._run(self._replay))
        self.flip_button.clicked.connect(lambda: self._run(self._flip))
        self.cross_button.clicked.connect(lambda: self._run(self._cross))
        self.late_button.clicked.connect(lambda: self._run(self._late))
        flow.flow_shown.connect(self._on_flow)
        self._on_flow(flow.shown)

    # -- which session, which phone -----------------------------------------------
    def session(self) -> SessionFlow | None:
        return self.flow.shown

    def phone(self) -> Phone:
        flow = self.session()
        if flow is None:
            raise AttackNotPossible("no session shown: log in first")
        phone = self.suite.phones.get(flow.phone)
        if phone is None:
            raise AttackNotPossible("this session reached no phone (no push went out)")
        return phone

    def _on_flow(self, flow: SessionFlow | None) -> None:
        if flow is None:
            return
        on = f" on {flow.phone}" if flow.phone else ""
        self.target.setText(f"{session_title(flow)}{on} · request {flow.request_id[:8]}")
        keep = self.source_combo.currentData()
        self.source_combo.clear()
        for other in self.flow.recorder.sessions:
            if other.request_id != flow.request_id and other.phone and other.phone == flow.phone:
                self.source_combo.addItem(session_title(other), other.request_id)
        index = self.source_combo.findData(keep)
        self.source_combo.setCurrentIndex(max(index, 0))
        self.cross_button.setEnabled(self.source_combo.count() > 0)

    # -- the attacks ----------------------------------------------------------------
    async def _replay(self) -> AttackResult:
        return await replay_last(self.phone(), self.sent)

    async def _flip(self) -> AttackResult:
        return await flip_one_byte(self.phone(), self.sent)

    async def _cross(self) -> AttackResult:
        flow, source = self.session(), self.source_combo.currentData()
        if flow is None or not isinstance(source, str):
            raise AttackNotPossible("pick session A: another login to the same phone")
        return await answer_other_session(self.phone(), source, flow.request_id)

    async def _late(self) -> AttackResult:
        flow = self.session()
        phone = self.phone()
        assert flow is not None  # phone() found one
        if flow.status not in TIMED_OUT:
            raise AttackNotPossible(
                f"this session is {flow.status}: wait for it to time out (the domain's push "
                "timeout), then answer"
            )
        return await answer_after_timeout(phone, flow.request_id)

    def _run(self, attack: Callable[[], Awaitable[AttackResult]]) -> None:
        async def run() -> None:
            try:
                result = await attack()
            except (AttackNotPossible, PhoneError) as exc:
                self._say(f"not possible: {exc}")
                return
            self._say(result.summary())
            self.attacked.emit(result)

        self.tasks.spawn(run(), name="attack", on_error=lambda e: self._say(f"failed: {e}"))

    def _say(self, text: str) -> None:
        self.results.insertItem(0, text)
        self.said.emit(text)

    def close_panel(self) -> None:
        self._detach()
