"""Where in a TOML file a table or key was written, for error messages.

``tomllib`` returns plain values without positions, so a bad value would be
reported without a line. ``LineIndex`` scans the text once for table headers
(``[domain]``, ``[[step]]`` ...) and ``key =`` lines and answers "which line
holds key K of the N-th [[step]]". It understands the layout people write
(one key per line, dotted headers); anything fancier falls back to the
nearest table header, which is still the right place to look.
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+|\"[^\"]*\"|'[^']*')\s*(\.[^=]*)?=")

Place = tuple[str, int]  # (table name, index among [[table]] entries; 0 for a [table])


class LineIndex:
    def __init__(self, text: str) -> None:
        self._tables: dict[Place, int] = {}
        self._keys: dict[tuple[str, int, str], int] = {}
        counts: dict[str, int] = {}
        place: Place = ("", 0)
        depth = 0  # open brackets/braces of a multi-line value: no keys inside
        for number, line in enumerate(text.splitlines(), start=1):
            stripped = line.strip()
            if depth == 0 and (header := _HEADER.match(line)):
                name = header.group(2).strip().strip("\"'")
                if header.group(1) == "[[":
                    counts[name] = counts.get(name, 0) + 1
                    place = (name, counts[name] - 1)
                else:
                    place = (name, 0)
                self._tables.setdefault(place, number)
                continue
            if depth == 0 and (key := _KEY.match(line)):
                self._keys.setdefault((*place, key.group(1).strip("\"'")), number)
            if not stripped.startswith("#"):
                depth = max(0, depth + _balance(stripped))

    def table(self, name: str, index: int = 0) -> int:
        """The header line of a table (1 for top-level keys or an unknown table)."""
        return self._tables.get((name, index), 1)

    def key(self, name: str, index: int, key: str) -> int:
        """The line of ``key`` in a table, else the table's header line."""
        return self._keys.get((name, index, key), self.table(name, index))


def _balance(line: str) -> int:
    """Open minus closed brackets outside strings, comments stripped (good enough for TOML)."""
    total, quote = 0, ""
    for char in line:
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "#":
            break
        elif char in "[{":
            total += 1
        elif char in "]}":
            total -= 1
    return total
