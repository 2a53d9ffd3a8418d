"""What the style sheets (``resources/styles/*.qss``) need from a widget.

The sheets select on object names and on dynamic properties; Qt re-reads a
property-based rule only when the widget is polished again, hence
``repolish`` after every property change.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QWidget

W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str) -> W:
    """``widget`` with its object name set (what the style sheets select on)."""
    widget.setObjectName(name)
    return widget


def repolish(widget: QWidget) -> None:
    """Apply the style sheet again after a dynamic property changed."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)
