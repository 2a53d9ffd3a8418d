"""Who gets the stage's height: the diagram, or the tab below it.

The stage is a vertical splitter: the flow diagram above, the detail tabs
below. The diagram keeps a whole login (seven arrows) in view, which at
1280×720 leaves the tabs little height. A workbench tab (a form: scenarios,
attacks, faults, the wizard) or the inspector opened by a click on an arrow
gets half of the stage instead, the diagram scrolling meanwhile; the wizard,
whose QR codes need the height, folds the diagram away until another tab is
picked. The technical log or step mode gives the diagram its login back. The
splitter stays movable throughout.
"""

from __future__ import annotations

from collections.abc import Collection

from PySide6.QtWidgets import QSplitter, QTabWidget, QWidget

from app.flow_panel import FlowPanel

ROOM_HEIGHT = 340  # px a tab gets when chosen (at most half the stage)


class StageRoom:
    def __init__(self, stage: QSplitter, tabs: QTabWidget, flow: FlowPanel) -> None:
        self.stage, self.tabs, self.flow = stage, tabs, flow
        self.workbench: Collection[QWidget] = ()
        self.inspector: QWidget | None = None
        self._unfold: list[int] | None = None  # the sizes before the diagram was folded
        self._folded_for: QWidget | None = None

    def tab_changed(self, _index: int = -1) -> None:
        page = self.tabs.currentWidget()
        if self._unfold is not None and page is not self._folded_for:
            self.stage.setSizes(self._unfold)
            self._unfold = None
        if page in self.workbench:
            self.give_room()
        elif page is not self.inspector:
            self.flow.set_yielding(False)

    def give_room(self) -> None:
        """Half the stage (at most ``ROOM_HEIGHT``) to the tabs; the diagram scrolls."""
        self.flow.set_yielding(True)
        total = sum(self.stage.sizes())
        wanted = min(total // 2, ROOM_HEIGHT)
        if self.stage.sizes()[1] < wanted:
            self.stage.setSizes([total - wanted, wanted])

    def fold_for(self, page: QWidget) -> None:
        """``page`` in front with the whole stage; another tab brings the diagram back."""
        self._folded_for = page
        sizes = self.stage.sizes()
        if self._unfold is None and sizes[0] > 0:
            self._unfold = sizes
        self.tabs.setCurrentIndex(self.tabs.indexOf(page))
        self.stage.setSizes([0, sum(sizes)])
