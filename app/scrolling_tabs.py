"""A tab widget whose every page scrolls: nothing in a tab is cut in a small window.

``ScrollingTabs.addTab(page, title)`` puts ``page`` in a ``QScrollArea``
(resizable, no frame), so a page added by any panel (inspector, technical log,
step mode, scenarios, or tabs other modules add) fits at 1280×720 and below
without doing anything. ``indexOf``, ``widget``, ``currentWidget`` and
``setCurrentWidget`` speak of the pages, not their scroll areas.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QFrame, QScrollArea, QTabWidget, QWidget


class PageScroll(QScrollArea):
    """A page's scroll area: it may get as small as a line, its page then scrolls."""

    def minimumSizeHint(self) -> QSize:
        return QSize(48, 24)


def scrolled(page: QWidget) -> QScrollArea:
    area = PageScroll()
    area.setObjectName(f"{page.objectName() or 'page'}Scroll")
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    area.setWidget(page)
    return area


class ScrollingTabs(QTabWidget):
    def addTab(self, page: QWidget, *args: QIcon | str) -> int:  # type: ignore[override]
        return super().addTab(scrolled(page), *args)  # type: ignore[arg-type]

    def insertTab(self, index: int, page: QWidget, *args: QIcon | str) -> int:  # type: ignore[override]
        return super().insertTab(index, scrolled(page), *args)  # type: ignore[arg-type]

    def _area(self, page: QWidget) -> QWidget:
        area = page.parentWidget()
        while area is not None and not isinstance(area, QScrollArea):
            area = area.parentWidget()
        return area if area is not None and area.widget() is page else page

    def indexOf(self, page: QWidget) -> int:
        return super().indexOf(self._area(page))

    def setCurrentWidget(self, page: QWidget) -> None:
        super().setCurrentWidget(self._area(page))

    def widget(self, index: int) -> QWidget | None:
        found = super().widget(index)
        return found.widget() if isinstance(found, QScrollArea) else found

    def currentWidget(self) -> QWidget:
        found = self.widget(self.currentIndex())
        assert found is not None
        return found
