"""Themes: one set of numbered style sheets, a palette file per theme.

``resources/styles/NN-*.qss`` are joined in order; their colours are
``$tokens`` that each ``resources/themes/<key>.toml`` defines (``[tokens]``),
together with the Qt palette roles painted widgets read (``[palette]``). A
trainer can add a theme by adding a file. Sizes in ``pt`` are multiplied by
the zoom, which is how presenter mode and Ctrl +/− enlarge every text at once.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtGui import QColor, QPalette

RESOURCES = Path(__file__).resolve().parents[1] / "resources"
STYLES_DIR = RESOURCES / "styles"
THEMES_DIR = RESOURCES / "themes"
DEFAULT_THEME = "light"

_TOKEN = re.compile(r"\$([a-z_]+)")
_POINTS = re.compile(r"(\d+(?:\.\d+)?)pt\b")


class ThemeError(ValueError):
    """A theme file or style sheet that does not fit together (names the file)."""


@dataclass(frozen=True)
class Theme:
    key: str
    name: str
    tokens: Mapping[str, str]
    palette: Mapping[str, str]


def available_themes(directory: Path = THEMES_DIR) -> list[str]:
    return sorted(path.stem for path in directory.glob("*.toml"))


def load_theme(key: str, directory: Path = THEMES_DIR) -> Theme:
    path = directory / f"{key}.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ThemeError(f"{path}: {exc}") from exc
    tokens, palette = data.get("tokens", {}), data.get("palette", {})
    for role in palette:
        if not hasattr(QPalette.ColorRole, role):
            raise ThemeError(f"{path}: [palette] {role} is not a Qt palette role")
    return Theme(key=key, name=str(data.get("name", key)), tokens=tokens, palette=palette)


def stylesheet(
    theme: Theme, *, zoom: float = 1.0, directory: Path = STYLES_DIR, only: str = "*.qss"
) -> str:
    """The numbered sheets of ``directory`` with ``theme``'s colours, sizes × ``zoom``."""
    parts = []
    for path in sorted(directory.glob(only)):
        text = path.read_text(encoding="utf-8")
        missing = sorted({m for m in _TOKEN.findall(text) if m not in theme.tokens})
        if missing:
            raise ThemeError(f"{path.name}: theme {theme.key!r} has no {', '.join(missing)}")
        text = _TOKEN.sub(lambda m: theme.tokens[m.group(1)], text)
        if zoom != 1.0:
            text = _POINTS.sub(lambda m: f"{float(m.group(1)) * zoom:.3g}pt", text)
        parts.append(text)
    return "\n".join(parts)


def phone_sheet(theme: Theme, zoom: float, directory: Path = STYLES_DIR) -> str:
    """Only the phones' sheet (``*-phone.qss``), its sizes × ``zoom``: a card's own look."""
    return stylesheet(theme, zoom=zoom, directory=directory, only="*-phone.qss")


def qt_palette(theme: Theme, base: QPalette | None = None) -> QPalette:
    palette = QPalette(base) if base is not None else QPalette()
    for role, colour in theme.palette.items():
        palette.setColor(getattr(QPalette.ColorRole, role), QColor(colour))
    return palette
