"""QR codes for the activation wizard: a segno symbol drawn as a QImage / QPixmap.

``qr_image(text)`` encodes ``text`` (segno picks the mode and the smallest
version for error level M) and paints its module matrix, quiet zone included,
``scale`` pixels per module, dark on white, so a phone camera (or a tester's
phone app) could read it off the screen.
"""

from __future__ import annotations

import segno
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap

QUIET_ZONE = 4  # modules of white around the symbol, as the standard asks


def qr_matrix(text: str) -> list[list[bool]]:
    """The symbol's modules, quiet zone included (True: dark)."""
    symbol = segno.make(text, error="m", micro=False)
    return [[bool(m) for m in row] for row in symbol.matrix_iter(border=QUIET_ZONE)]


def qr_image(text: str, *, scale: int = 3, fit: int | None = None) -> QImage:
    """``scale`` px per module, or the largest whole number that fits in ``fit`` px."""
    matrix = qr_matrix(text)
    if fit is not None:  # two pixels a module at the least, or a camera could not read it
        scale = max(2, fit // len(matrix))
    size = len(matrix) * scale
    image = QImage(size, size, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        dark = QColor("black")
        for y, row in enumerate(matrix):
            for x, on in enumerate(row):
                if on:
                    painter.fillRect(QRect(x * scale, y * scale, scale, scale), dark)
    finally:
        painter.end()
    return image


def qr_pixmap(text: str, *, fit: int) -> QPixmap:
    return QPixmap.fromImage(qr_image(text, fit=fit))
