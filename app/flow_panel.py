"""The flow view: a session picker above the live sequence diagram.

The picker lists the sessions seen, newest first. The view follows the live
session (each new login takes the stage) until the user picks one, which
pins it; "Follow live" unpins. ``flow_shown`` fires whenever the diagram's
session gains an arrow, so tests and the inspector wait on it, not on
polling.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.event_log_model import EventFeed
from app.flow_diagram import FlowDiagram
from core.events import EventBus
from simulators.session_flow import FlowArrow, FlowRecorder, SessionFlow


def session_title(flow: SessionFlow) -> str:
    started = time.strftime("%H:%M:%S", time.localtime(flow.started)) if flow.arrows else "--"
    who = flow.user or flow.request_id[:8]
    return f"{started} · {who} · {flow.status}"


YIELDING_HEIGHT = 110  # px of diagram kept while a workbench tab has the room


class FlowPanel(QGroupBox):
    flow_shown = Signal(object)  # SessionFlow now drawn
    arrow_selected = Signal(object, object)  # FlowArrow, SessionFlow

    def __init__(self, bus: EventBus, feed: EventFeed, parent: QWidget | None = None) -> None:
        super().__init__("Flow — one push login, step by step", parent)
        self.setObjectName("flowPanel")
        self.recorder = FlowRecorder()
        self.picker = QComboBox()
        self.picker.setObjectName("sessionPicker")
        self.picker.setMinimumContentsLength(24)
        self.picker.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.follow = QCheckBox("Follow live")
        self.follow.setObjectName("followLive")
        self.follow.setChecked(True)
        self.follow.setToolTip("Show each new login as it happens; pick a session to pin it")
        self.diagram = FlowDiagram()
        scroll = QScrollArea()
        scroll.setObjectName("flowScroll")
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.diagram)
        self._scroll = scroll
        self._yielding = False
        self.set_scale(1.0)

        top = QHBoxLayout()
        top.addWidget(QLabel("Session"))
        top.addWidget(self.picker, 1)
        top.addWidget(self.follow)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)

        self.picker.activated.connect(self._on_picked)
        self.follow.toggled.connect(self._on_follow)
        self.diagram.arrow_clicked.connect(self._on_arrow)
        self.recorder.on_change(self._on_flow)
        for event in bus.history:
            self.recorder.add(event)
        feed.received.connect(self.recorder.add)

    def set_scale(self, scale: float) -> None:
        self.diagram.set_scale(scale)
        self._keep_login_in_view()

    def set_yielding(self, on: bool) -> None:
        """While a workbench form is open below, the diagram may shrink and scroll."""
        self._yielding = on
        self._keep_login_in_view()

    def _keep_login_in_view(self) -> None:
        # the seven arrows of a login are always in view (unless yielding); longer ones scroll
        frame = 2 * self._scroll.frameWidth()
        full = self.diagram.sizeHint().height() + frame
        self._scroll.setMinimumHeight(min(full, YIELDING_HEIGHT) if self._yielding else full)

    @property
    def shown(self) -> SessionFlow | None:
        return self.diagram.flow

    # -- recorder -> picker and diagram ---------------------------------------------
    def _on_flow(self, flow: SessionFlow) -> None:
        index = self.picker.findData(flow.request_id)
        if index < 0:
            self.picker.insertItem(0, session_title(flow), flow.request_id)
            index = 0
            while self.picker.count() > (self.recorder.limit or 200):
                self.picker.removeItem(self.picker.count() - 1)
        else:
            self.picker.setItemText(index, session_title(flow))
        shown = self.diagram.flow
        is_shown = shown is not None and shown.request_id == flow.request_id
        newer = shown is None or flow.started >= shown.started
        if is_shown or (self.follow.isChecked() and newer):
            self._show(flow)
            if self._yielding and self.follow.isChecked() and self.diagram.arrows:
                self.scroll_to_row(
                    len(self.diagram.arrows) - 1
                )  # a shrunk diagram follows the login

    def _show(self, flow: SessionFlow) -> None:
        index = self.picker.findData(flow.request_id)
        if index >= 0 and self.picker.currentIndex() != index:
            self.picker.setCurrentIndex(index)
        self.diagram.set_flow(flow)
        self.flow_shown.emit(flow)

    # -- user -> panel -------------------------------------------------------------------
    def _on_picked(self, index: int) -> None:
        flow = self.recorder.get(str(self.picker.itemData(index)))
        if flow is None:
            return
        if index != 0:
            self.follow.setChecked(False)  # picking an older session pins it
        self._show(flow)

    def _on_follow(self, on: bool) -> None:
        newest = self.recorder.sessions[:1]
        if on and newest:
            self._show(newest[0])

    def _on_arrow(self, arrow: FlowArrow) -> None:
        flow = self.diagram.flow
        if flow is not None:
            self.arrow_selected.emit(arrow, flow)
            self.scroll_to_row(self.diagram.arrows.index(arrow))

    def scroll_to_row(self, index: int) -> None:
        """Keep the ``index``-th arrow in view, once the splitter has laid the diagram out."""

        def scroll() -> None:
            row = self.diagram.row_rect(index)
            self._scroll.ensureVisible(row.center().x(), row.center().y(), 0, row.height())

        scroll()
        QTimer.singleShot(0, self, scroll)  # again, should a layout still be pending
