"""The technical log: every event in a table and, below it, the selected one's message."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, QTimer
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHeaderView,
    QPlainTextEdit,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.event_log_model import KIND, ROUTE, STEP, SUMMARY, TIME, EventLogModel, describe_event
from core.events import Event


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
        # one scroll per frame at most: a login inserts a row every few milliseconds
        self._scroll_soon = QTimer(self, singleShot=True, interval=40)
        self._scroll_soon.timeout.connect(self.table.scrollToBottom)
        model.rowsAboutToBeInserted.connect(self._before_insert)
        model.rowsInserted.connect(self._after_insert)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)

    def _before_insert(self) -> None:
        if self._scroll_soon.isActive():
            return  # still following: the bottom is where it will scroll to
        bar = self.table.verticalScrollBar()
        self._follow = bar.value() >= bar.maximum() - 2

    def _after_insert(self) -> None:
        if self._follow and not self._scroll_soon.isActive():
            self._scroll_soon.start()

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
