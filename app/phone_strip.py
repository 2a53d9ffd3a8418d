"""The phones side by side: one ``PhoneCard`` per running phone of the suite.

Cards come from ``add_phone`` (the window adds the suite's phones when it is
ready) and from ``sync``, which adds a card for every phone that started
since — a scenario's phones, added to the running suite, appear this way.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QScrollArea, QWidget

from app.background import BackgroundTasks
from app.phone_panel import CARD_HEIGHT, CARD_WIDTH, PhoneCard
from app.phone_view_feed import PhoneViewFeed
from app.styling import named
from app.theme import DEFAULT_THEME, Theme, load_theme, phone_sheet
from core.events import EventBus
from simulators.phone import Phone

MIN_SCALE, MAX_SCALE = 0.6, 2.0  # below: scroll; above: a phone bigger than a phone
SPACING = 12


def fit_scale(width: int, height: int, phones: int) -> float:
    """How large ``phones`` cards can be drawn side by side in ``width`` × ``height``."""
    if phones == 0:
        return 1.0
    by_height = (height - 2 * SPACING) / CARD_HEIGHT
    by_width = (width - SPACING * (phones + 1)) / (phones * CARD_WIDTH)
    return round(max(MIN_SCALE, min(MAX_SCALE, by_height, by_width)), 2)


class PhonePanel(QScrollArea):
    """The phones, side by side, as large as the panel lets them be (keeping their shape)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("phonePanel")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.cards: dict[str, PhoneCard] = {}
        self.setMinimumWidth(round(2 * CARD_WIDTH * MIN_SCALE) + 3 * SPACING)
        self.scale = 1.0
        self._theme: Theme = load_theme(DEFAULT_THEME)
        self._sheets: dict[float, str] = {}
        inner = named(QWidget(), "phoneStrip")
        self._row = QHBoxLayout(inner)
        self._row.setContentsMargins(6, 6, 6, 6)
        self._row.setSpacing(12)
        self._placeholder = named(QLabel("starting the phones…"), "muted")
        self._placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._row.addWidget(self._placeholder, 1)
        self._row.addStretch(0)
        self.setWidget(inner)

    def add_phone(self, phone: Phone, events: EventBus, tasks: BackgroundTasks) -> PhoneCard:
        """The phone's card (made once per phone object)."""
        known = self.cards.get(phone.name)
        if known is not None and known.phone is phone:
            return known
        if known is not None:  # the suite replaced the phone: a fresh card in its place
            known.stop()
            index = self._row.indexOf(known)
            self._row.removeWidget(known)
            known.deleteLater()
        else:
            index = len(self.cards)
        self._placeholder.hide()
        card = PhoneCard(phone, PhoneViewFeed(phone, events), tasks)
        self.cards[phone.name] = card
        self._row.insertWidget(index, card, 0, Qt.AlignmentFlag.AlignTop)
        self.rescale()
        return card

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self._sheets.clear()
        self.rescale(force=True)

    def rescale(self, *, force: bool = False) -> None:
        """Fit the cards to the panel (called on every resize and when phones come)."""
        viewport = self.viewport()
        scale = fit_scale(viewport.width(), viewport.height(), len(self.cards))
        if scale == self.scale and not force and all(c.scale == scale for c in self.cards.values()):
            return
        self.scale = scale
        sheet = self._sheets.get(scale)
        if sheet is None:
            # the cards' own base size too, or they would inherit the window's zoom
            base = f"QWidget {{ font-size: {10 * scale:.3g}pt; }}\n"
            sheet = self._sheets[scale] = base + phone_sheet(self._theme, scale)
        for card in self.cards.values():
            card.set_scale(scale, sheet)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.rescale()

    def sync(self, phones: Mapping[str, Phone], events: EventBus, tasks: BackgroundTasks) -> None:
        """A card for each of ``phones`` that has none yet."""
        for phone in phones.values():
            self.add_phone(phone, events, tasks)

    def prune(self, phones: Mapping[str, Phone]) -> None:
        """Drop the cards of phones the suite no longer runs (the wizard's, after a reset)."""
        for name in [n for n, card in self.cards.items() if phones.get(n) is not card.phone]:
            gone = self.cards.pop(name)
            gone.stop()
            self._row.removeWidget(gone)
            gone.deleteLater()
        self._placeholder.setVisible(not self.cards)
        self.rescale()

    def set_placeholder(self, text: str) -> None:
        self._placeholder.setText(text)
        self._placeholder.setVisible(not self.cards)
