"""The event/flow log: bus events as a Qt signal, a table model over them, a text view of one.

``EventFeed`` subscribes to the suite's ``EventBus`` and re-emits each event as
a Qt signal, so widgets connect to events the Qt way (and a deleted widget's
slot is simply disconnected). ``EventLogModel`` is a thin
``QAbstractTableModel`` over a bounded list of events — time, step,
from → to, kind, summary — and ``describe_event`` renders one event for the
read-only detail pane: decoded header, decrypted body, details, raw bytes.
"""

from __future__ import annotations

import json
import string
import time
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from core.events import Event, EventBus, MessageDetails
from simulators.phone.event_kinds import PhoneEvent

DEFAULT_LIMIT = 5000
HEX_BYTES_PER_LINE = 16

COLUMNS = ("Time", "Step", "From → To", "Kind", "Summary")
TIME, STEP, ROUTE, KIND, SUMMARY = range(len(COLUMNS))

# one soft tint per push-login step, so a login reads as bands of colour
STEP_TINTS = {
    1: "#e8f0fe",
    2: "#e6f4ea",
    3: "#fef7e0",
    4: "#e0f2f1",
    5: "#f3e8fd",
    6: "#fce4ec",
    7: "#eceff1",
}

AnyIndex = QModelIndex | QPersistentModelIndex


def lane(name: str) -> str:
    """A lane as people say it: ``phone:bob-iphone`` is ``bob-iphone``."""
    return name.removeprefix("phone:")


def route(event: Event) -> str:
    if event.target:
        return f"{lane(event.source)} → {lane(event.target)}"
    return lane(event.source)


def clock_text(when: float) -> str:
    millis = int((when % 1) * 1000)
    return time.strftime("%H:%M:%S", time.localtime(when)) + f".{millis:03d}"


class EventFeed(QObject):
    """The bus's events as a Qt signal; ``close()`` unsubscribes."""

    received = Signal(object)

    def __init__(self, bus: EventBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._unsubscribe = bus.subscribe(self._publish)

    def _publish(self, event: Event) -> None:
        self.received.emit(event)

    def close(self) -> None:
        self._unsubscribe()


class EventLogModel(QAbstractTableModel):
    """Events in time order, oldest dropped past ``limit``.

    The core publishes a transaction's events when it commits, so an event can
    arrive after later ones from the phone; it is inserted where its time puts
    it (nearly always at the end, found by walking back from there).
    """

    def __init__(self, parent: QObject | None = None, *, limit: int = DEFAULT_LIMIT) -> None:
        super().__init__(parent)
        self._events: list[Event] = []
        self._limit = limit

    # -- the list ----------------------------------------------------------------
    def append(self, event: Event) -> None:
        if event.kind == PhoneEvent.VIEW_CHANGED:
            return  # a redraw snapshot for the phone cards, not a step of the flow
        row = len(self._events)
        key = (event.time, event.seq)
        while row > 0 and (self._events[row - 1].time, self._events[row - 1].seq) > key:
            row -= 1
        self.beginInsertRows(QModelIndex(), row, row)
        self._events.insert(row, event)
        self.endInsertRows()
        self._trim()

    def extend(self, events: Iterable[Event]) -> None:
        for event in events:
            self.append(event)

    def _trim(self) -> None:
        excess = len(self._events) - self._limit
        if excess > 0:
            self.beginRemoveRows(QModelIndex(), 0, excess - 1)
            del self._events[:excess]
            self.endRemoveRows()

    def clear(self) -> None:
        self.beginResetModel()
        self._events.clear()
        self.endResetModel()

    def event_at(self, row: int) -> Event:
        return self._events[row]

    @property
    def events(self) -> list[Event]:
        return list(self._events)

    # -- QAbstractTableModel -------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._events)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._events):
            return None
        event = self._events[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(event, column)
        if role == Qt.ItemDataRole.ToolTipRole and column == SUMMARY:
            return event.summary
        if role == Qt.ItemDataRole.BackgroundRole and event.step is not None:
            return QBrush(QColor(STEP_TINTS[event.step]))
        if role == Qt.ItemDataRole.TextAlignmentRole and column == STEP:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    @staticmethod
    def _text(event: Event, column: int) -> str:
        if column == TIME:
            return clock_text(event.time)
        if column == STEP:
            return "" if event.step is None else str(event.step)
        if column == ROUTE:
            return route(event)
        if column == KIND:
            return event.kind
        return event.summary


# -- the detail pane -------------------------------------------------------------
def _is_hex(text: str) -> bool:
    return len(text) % 2 == 0 and bool(text) and all(c in string.hexdigits for c in text)


def hexdump(hex_text: str) -> str:
    data = bytes.fromhex(hex_text)
    lines = []
    for offset in range(0, len(data), HEX_BYTES_PER_LINE):
        chunk = data[offset : offset + HEX_BYTES_PER_LINE]
        hex_part = " ".join(f"{b:02x}" for b in chunk)
        text_part = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        lines.append(f"{offset:04x}  {hex_part:<{HEX_BYTES_PER_LINE * 3 - 1}}  {text_part}")
    return "\n".join(lines)


def _pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def render_raw(raw: str) -> tuple[str, str]:
    """A heading and the raw message laid out for reading (hex dump or JSON)."""
    if _is_hex(raw):
        return f"Raw message ({len(raw) // 2} bytes)", hexdump(raw)
    try:
        return "Raw message (JSON)", _pretty(json.loads(raw))
    except ValueError:
        return "Raw message", raw


def describe_event(event: Event) -> str:
    """The detail pane's text for one event."""
    step = f"step {event.step} · " if event.step is not None else ""
    lines = [
        f"{event.kind}   ({step}#{event.seq})",
        f"{route(event)}   at {clock_text(event.time)}",
    ]
    if event.request_id:
        lines.append(f"request {event.request_id}")
    if event.summary:
        lines += ["", event.summary]
    details = event.details
    sections: list[tuple[str, str]] = []
    facts = dict(details)
    if isinstance(details, MessageDetails):
        for part, title in ((details.header, "Decoded header"), (details.body, "Decrypted body")):
            if part is not None:
                sections.append((title, _pretty(dict(part))))
        facts = details.facts()
    if facts:
        sections.append(("Details", _pretty(facts)))
    if event.raw:
        sections.append(render_raw(event.raw))
    for title, text in sections:
        lines += ["", f"── {title} ──", text]
    return "\n".join(lines)
