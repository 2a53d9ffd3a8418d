"""The sequence diagram of one push-login session, painted.

Four lanes (Login client, Validation core, FCM · APNs, Phone) with a lifeline
each, and one arrow per message in the order it happened, numbered with its
step and coloured by it; a message a part sends itself (the challenge, the
user's answer) is a loop. Hover shows the arrow's one-line summary; a click
selects it and emits ``arrow_clicked``. The widget paints whatever
``SessionFlow`` it is given; which session that is, the panel decides.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from simulators.session_flow import FlowArrow, Lane, SessionFlow

# Saturated enough to read as lines, distinct for the seven steps.
STEP_COLOURS = {
    1: "#1a73e8",
    2: "#7b1fa2",
    3: "#e37400",
    4: "#00897b",
    5: "#c2185b",
    6: "#5e35b1",
    7: "#188038",
}
FAULT_COLOUR = "#d93025"  # a fault that fired on a message
HEADER_HEIGHT = 44
ROW_HEIGHT = 28
LOOP_WIDTH = 34
MIN_LANE_WIDTH = 130
MAX_SPACING = 1.2
REPAINT_MS = 40  # at most 25 repaints a second while a login runs


class FlowDiagram(QWidget):
    arrow_clicked = Signal(object)  # FlowArrow

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("flowDiagram")
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        self._flow: SessionFlow | None = None
        self._selected: str | None = None
        self._scale = 1.0
        self._spacing = 1.0
        # a live login changes the flow many times a second: one repaint per frame at most
        self._repaint = QTimer(self, singleShot=True, interval=REPAINT_MS)
        self._repaint.timeout.connect(self.update)

    # -- what it shows -------------------------------------------------------------
    @property
    def flow(self) -> SessionFlow | None:
        return self._flow

    @property
    def arrows(self) -> tuple[FlowArrow, ...]:
        return () if self._flow is None else self._flow.arrows

    @property
    def selected(self) -> FlowArrow | None:
        return next((a for a in self.arrows if a.key == self._selected), None)

    def set_flow(self, flow: SessionFlow | None) -> None:
        if flow is None or self._flow is None or flow.request_id != self._flow.request_id:
            self._selected = None
        rows = len(self.arrows)
        self._flow = flow
        if max(rows, 7) != max(len(self.arrows), 7):
            self.updateGeometry()  # taller only past the seven rows of a login
        if not self._repaint.isActive():
            self._repaint.start()

    @property
    def scale(self) -> float:
        return self._scale

    def set_scale(self, scale: float) -> None:
        """Presenter mode draws larger: fonts grow by ``scale``, rows and lanes by at most
        ``MAX_SPACING`` (so a login's seven arrows still fit a 720-pixel-high window)."""
        self._scale = scale
        self._spacing = min(scale, MAX_SPACING)
        self.updateGeometry()
        self.update()

    def select(self, arrow: FlowArrow | None) -> None:
        self._selected = None if arrow is None else arrow.key
        self.update()
        if arrow is not None:
            self.arrow_clicked.emit(arrow)

    # -- geometry --------------------------------------------------------------------
    def _px(self, value: float) -> int:
        return round(value * self._spacing)

    def sizeHint(self) -> QSize:
        rows = max(len(self.arrows), 7)
        height = self._px(HEADER_HEIGHT + 16 + rows * ROW_HEIGHT)
        return QSize(self._px(MIN_LANE_WIDTH) * len(Lane), height)

    def minimumSizeHint(self) -> QSize:
        return QSize(self._px(90) * len(Lane), self.sizeHint().height())

    def lane_x(self, lane: Lane) -> float:
        width = self.width() / len(Lane)
        return width * (lane + 0.5)

    def row_rect(self, index: int) -> QRect:
        """The band of the ``index``-th arrow (what a click or hover hits)."""
        top = self._px(HEADER_HEIGHT + 12) + index * self._px(ROW_HEIGHT)
        return QRect(0, top, self.width(), self._px(ROW_HEIGHT))

    def arrow_at(self, pos: QPoint) -> FlowArrow | None:
        for index, arrow in enumerate(self.arrows):
            if self.row_rect(index).contains(pos):
                return arrow
        return None

    # -- interaction ---------------------------------------------------------------
    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        arrow = self.arrow_at(event.position().toPoint())
        if arrow is None:
            QToolTip.hideText()
        else:
            QToolTip.showText(event.globalPosition().toPoint(), arrow.summary, self)
        super().mouseMoveEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        arrow = self.arrow_at(event.position().toPoint())
        if arrow is not None and event.button() == Qt.MouseButton.LeftButton:
            self.select(arrow)
        super().mousePressEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Up/Down walk the arrows, so the inspector can be read without the mouse."""
        arrows = self.arrows
        step = {Qt.Key.Key_Up: -1, Qt.Key.Key_Down: 1}.get(Qt.Key(event.key()))
        if step is None or not arrows:
            super().keyPressEvent(event)
            return
        keys = [a.key for a in arrows]
        current = keys.index(self._selected) if self._selected in keys else -1
        self.select(arrows[max(0, min(len(arrows) - 1, current + step))])

    # -- painting ----------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(palette.ColorRole.WindowText)
        painter.fillRect(self.rect(), palette.color(palette.ColorRole.Base))
        self._paint_lanes(painter, text)
        if not self.arrows:
            painter.setPen(text)
            painter.drawText(
                self.row_rect(2),
                Qt.AlignmentFlag.AlignCenter,
                "Log in to see the seven steps of a push login here.",
            )
        for index, arrow in enumerate(self.arrows):
            self._paint_arrow(painter, index, arrow, text)
        painter.end()

    def _font(self, points: float, *, bold: bool = False) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(points * self._scale)
        font.setBold(bold)
        return font

    def _paint_lanes(self, painter: QPainter, text: QColor) -> None:
        flow = self._flow
        width = self.width() / len(Lane)
        for lane in Lane:
            x = self.lane_x(lane)
            box = QRectF(x - width / 2 + 4, 4, width - 8, self._px(HEADER_HEIGHT) - 8)
            painter.setPen(QPen(text, 1))
            painter.setBrush(QBrush(self.palette().color(self.palette().ColorRole.AlternateBase)))
            painter.drawRoundedRect(box, 6, 6)
            detail = "" if flow is None else flow.lane_detail(lane)
            if detail:  # the lane's name above, this session's provider or phone below
                upper = QRectF(box.left(), box.top() + 2, box.width(), box.height() / 2)
                lower = upper.translated(0, box.height() / 2 - 4)
                self._line(painter, upper, lane.title, 9, True)
                self._line(painter, lower, detail, 8, False)
            else:
                self._line(painter, box, lane.title, 9, True)
            lifeline = QPen(text, 1, Qt.PenStyle.DashLine)
            painter.setPen(lifeline)
            painter.drawLine(QPointF(x, box.bottom()), QPointF(x, self.height()))

    def _line(self, painter: QPainter, area: QRectF, text: str, points: float, bold: bool) -> None:
        """One line centred in ``area``, elided to fit."""
        painter.setFont(self._font(points, bold=bold))
        elided = QFontMetrics(painter.font()).elidedText(
            text, Qt.TextElideMode.ElideRight, int(area.width()) - 6
        )
        painter.drawText(area, Qt.AlignmentFlag.AlignCenter, elided)

    def _paint_arrow(self, painter: QPainter, index: int, arrow: FlowArrow, text: QColor) -> None:
        band = self.row_rect(index)
        colour = QColor(STEP_COLOURS.get(arrow.step, "#5f6368"))
        if arrow.key == self._selected:
            highlight = QColor(colour)
            highlight.setAlpha(40)
            painter.fillRect(band, highlight)
        y = band.center().y() + self._px(6)
        start, end = self.lane_x(arrow.source), self.lane_x(arrow.target)
        painter.setPen(QPen(colour, 2 * self._scale))
        painter.setBrush(QBrush(colour))
        align = Qt.AlignmentFlag.AlignLeft
        if arrow.source == arrow.target:
            # a loop beside the lifeline; on the last lane it turns inwards to stay visible
            side = -1 if arrow.source == max(Lane) else 1
            loop = side * self._px(LOOP_WIDTH)
            top = y - self._px(8)
            painter.drawPolyline(
                [QPointF(start, top), QPointF(start + loop, top), QPointF(start + loop, y)]
            )
            painter.drawLine(QPointF(start + loop, y), QPointF(start + side * 6, y))
            self._head(painter, QPointF(start, y), direction=-side)
            reach = self.width() / len(Lane) - 12
            if side > 0:
                label_left, label_right = start + loop + 6, start + loop + 6 + reach
            else:
                label_left, label_right = start + loop - 6 - reach, start + loop - 6
                align = Qt.AlignmentFlag.AlignRight
        else:
            painter.drawLine(QPointF(start, y), QPointF(end, y))
            self._head(painter, QPointF(end, y), direction=1 if end > start else -1)
            label_left, label_right = min(start, end) + 26, max(start, end) - 8
        self._badge(painter, QPointF(start, y), arrow.step, colour)
        if arrow.fault:  # an injected fault fired on this message: a red mark, a red label
            self._fault_mark(painter, QPointF((start + end) / 2, y))
            text = QColor(FAULT_COLOUR)
        painter.setPen(text)
        painter.setFont(self._font(9))
        label_rect = QRectF(label_left, band.top(), label_right - label_left, y - band.top() - 2)
        elided = QFontMetrics(painter.font()).elidedText(
            arrow.label, Qt.TextElideMode.ElideRight, max(20, int(label_rect.width()))
        )
        painter.drawText(label_rect, Qt.AlignmentFlag.AlignBottom | align, elided)

    def _head(self, painter: QPainter, tip: QPointF, *, direction: int) -> None:
        size = 7 * self._scale
        back = tip.x() - direction * size * 1.4
        painter.drawPolygon(
            QPolygonF(
                [tip, QPointF(back, tip.y() - size / 1.6), QPointF(back, tip.y() + size / 1.6)]
            )
        )

    def _fault_mark(self, painter: QPainter, centre: QPointF) -> None:
        size = 8 * self._scale
        painter.setPen(QPen(QColor("white"), 1.5))
        painter.setBrush(QBrush(QColor(FAULT_COLOUR)))
        diamond = [(0, -size), (size, 0), (0, size), (-size, 0)]
        painter.drawPolygon(QPolygonF([centre + QPointF(dx, dy) for dx, dy in diamond]))
        painter.setFont(self._font(8, bold=True))
        box = QRectF(centre.x() - size, centre.y() - size, 2 * size, 2 * size)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, "!")

    def _badge(self, painter: QPainter, centre: QPointF, step: int, colour: QColor) -> None:
        radius = 9 * self._scale
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(colour))
        painter.drawEllipse(centre, radius, radius)
        painter.setPen(QColor("white"))
        painter.setFont(self._font(8, bold=True))
        box = QRectF(centre.x() - radius, centre.y() - radius, 2 * radius, 2 * radius)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, str(step))
