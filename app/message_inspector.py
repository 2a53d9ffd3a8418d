"""The inspector: one arrow of the flow, read closely.

Raw hex with the Secure Channel header fields highlighted, the decoded
header, the decrypted body and, for a response or a decision, every
validation check as passed / failed / not reached with the first failure's
reason (``simulators.flow_inspection``; the HTML is the session report's).
"Copy as JSON" puts the same facts on the clipboard.
"""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from simulators.flow_html import inspection_html
from simulators.flow_inspection import Inspection, inspect
from simulators.session_flow import FlowArrow, SessionFlow

PLACEHOLDER = (
    "<p>Click an arrow of the flow to inspect its message: raw bytes, decoded header, "
    "decrypted body and, for a response, every validation check.</p>"
)


class MessageInspector(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageInspector")
        self.text = QTextBrowser()
        self.text.setObjectName("inspectorText")
        self.text.setOpenLinks(False)
        self.text.setHtml(PLACEHOLDER)
        self.copy_button = QPushButton("Copy as JSON")
        self.copy_button.setObjectName("copyJson")
        self.copy_button.setEnabled(False)
        self.copy_button.clicked.connect(self.copy_json)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text, 1)
        layout.addLayout(buttons)
        self.inspection: Inspection | None = None
        self._key: tuple[str, str] | None = None

    def show_arrow(self, arrow: FlowArrow, flow: SessionFlow) -> None:
        self._key = (flow.request_id, arrow.key)
        self.inspection = inspect(arrow, flow)
        bar = self.text.verticalScrollBar()
        keep = bar.value()
        self.text.setHtml(inspection_html(self.inspection))
        bar.setValue(keep)
        self.copy_button.setEnabled(True)

    def refresh(self, flow: SessionFlow) -> None:
        """The shown message's session changed (a late event told more of it)."""
        if self._key is None or self._key[0] != flow.request_id:
            return
        arrow = next((a for a in flow.arrows if a.key == self._key[1]), None)
        if arrow is not None:
            self.show_arrow(arrow, flow)

    def copy_json(self) -> None:
        if self.inspection is not None:
            QGuiApplication.clipboard().setText(self.inspection.as_json())
