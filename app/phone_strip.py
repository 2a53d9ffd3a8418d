"""The phones side by side: one ``PhoneCard`` per running phone of the suite.

Cards come from ``add_phone`` (the window adds the suite's phones when it is
ready) and from ``sync``, which adds a card for every phone that started
since — a scenario's phones, added to the running suite, appear this way.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QScrollArea, QWidget

from app.background import BackgroundTasks
from app.phone_panel import CARD_WIDTH, PhoneCard
from app.phone_view_feed import PhoneViewFeed
from app.styling import named
from core.events import EventBus
from simulators.phone import Phone


class PhonePanel(QScrollArea):
    """The phones, side by side (scrolls when there are more than fit)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("phonePanel")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.cards: dict[str, PhoneCard] = {}
        self.setMinimumWidth(2 * (CARD_WIDTH + 12) + 12)  # two phones side by side; more scroll
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
        return card

    def sync(self, phones: Mapping[str, Phone], events: EventBus, tasks: BackgroundTasks) -> None:
        """A card for each of ``phones`` that has none yet."""
        for phone in phones.values():
            self.add_phone(phone, events, tasks)

    def set_placeholder(self, text: str) -> None:
        self._placeholder.setText(text)
        self._placeholder.setVisible(not self.cards)
