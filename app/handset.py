"""The handset drawn around a phone card: body, bezel, wallpaper, notch or camera.

Pure painting from two facts (iOS or Android, airplane mode on or off), so
the card that owns the widgets keeps no drawing code.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QLinearGradient, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QWidget

BEZEL = 10  # px between the card's edge and the screen
SCREEN_RADIUS = 26.0


def paint_handset(widget: QWidget, *, ios: bool, airplane: bool) -> None:
    """Paint the phone body on ``widget`` (call from its ``paintEvent``)."""
    painter = QPainter(widget)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    body = QRectF(widget.rect()).adjusted(1.5, 1.5, -1.5, -1.5)
    painter.setPen(QPen(QColor("#3a3f4b"), 2))
    painter.setBrush(QColor("#15171c"))
    painter.drawRoundedRect(body, SCREEN_RADIUS + BEZEL, SCREEN_RADIUS + BEZEL)

    screen = body.adjusted(BEZEL, BEZEL, -BEZEL, -BEZEL)
    wallpaper = QLinearGradient(screen.topLeft(), screen.bottomRight())
    if ios:
        wallpaper.setColorAt(0.0, QColor("#2b3f7e"))
        wallpaper.setColorAt(1.0, QColor("#7a4f9c"))
    else:
        wallpaper.setColorAt(0.0, QColor("#14534f"))
        wallpaper.setColorAt(1.0, QColor("#284a7a"))
    if airplane:
        wallpaper.setColorAt(0.0, QColor("#3b3f47"))
        wallpaper.setColorAt(1.0, QColor("#555a63"))
    clip = QPainterPath()
    clip.addRoundedRect(screen, SCREEN_RADIUS, SCREEN_RADIUS)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.fillPath(clip, wallpaper)

    painter.setBrush(QColor("#15171c"))
    center = screen.center().x()
    if ios:  # the notch and the home indicator
        painter.drawRoundedRect(QRectF(center - 48, screen.top() - 1, 96, 22), 11, 11)
        painter.setBrush(QColor(255, 255, 255, 170))
        painter.drawRoundedRect(QRectF(center - 55, screen.bottom() - 11, 110, 5), 2.5, 2.5)
    else:  # the punch-hole camera
        painter.drawEllipse(QRectF(center - 6, screen.top() + 9, 12, 12))
    painter.end()
