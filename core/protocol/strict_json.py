"""One strict JSON reader for every body and query number PushSim accepts.

Python's ``json`` is lenient where two parsers may disagree, which an attacker
can use (one component reads a value another never saw) or which leaks
internals: duplicate keys (last wins), ``NaN``/``Infinity``, numbers of any
length (``int()`` raises "Exceeds the limit (4300 digits)"), nesting until
``RecursionError``, lone surrogates no UTF-8 store accepts. ``read_json``
refuses each of them with a ``StrictJsonError`` that says what and where, in
words fit for a 400 answer. ``read_number`` is the same rule for a number in
a query string: ASCII digits, optional sign, fraction and exponent — no
``1_000``, no full-width digits, no ``inf``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from core.protocol.errors import PushSimError

MAX_DEPTH = 32
MAX_NUMBER_CHARS = 40  # a double needs 17 significant digits and an exponent
_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")


class StrictJsonError(PushSimError):
    """A body or value that is not the strict JSON PushSim accepts (HTTP 400)."""

    http_status = 400

    def __init__(self, reason: str, *, field: str = "body") -> None:
        super().__init__(reason, validation_errors=[{"field": field, "message": reason}])
        self.field = field


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise StrictJsonError(f"duplicate key {key!r}", field=key)
        result[key] = value
    return result


def _constant(name: str) -> Any:
    raise StrictJsonError(f"{name} is not a JSON number")


def _number(text: str) -> int | float:
    if len(text) > MAX_NUMBER_CHARS:
        raise StrictJsonError(
            f"number too long ({len(text)} characters, at most {MAX_NUMBER_CHARS})"
        )
    value = float(text) if any(c in text for c in ".eE") else int(text)
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        raise StrictJsonError(f"number out of range: {text[:20]}")
    return value


def _depth(text: str) -> int:
    """Deepest nesting of arrays/objects, counted outside strings, without recursion."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def read_json(data: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse ``data`` strictly; any JSON value may be at the top."""
    if isinstance(data, bytes | bytearray | memoryview):
        try:
            text = bytes(data).decode("utf-8")
        except UnicodeDecodeError:
            raise StrictJsonError("body is not valid UTF-8") from None
    else:
        text = data
    # checked first, since json would recurse into it; the C-speed count spares
    # the character scan for every ordinary body (few brackets at all)
    if text.count("[") + text.count("{") > max_depth and _depth(text) > max_depth:
        raise StrictJsonError(f"nested deeper than {max_depth} levels")
    try:
        value = json.loads(
            text,
            object_pairs_hook=_pairs,
            parse_constant=_constant,
            parse_int=_number,
            parse_float=_number,
        )
    except StrictJsonError:
        raise
    except ValueError as exc:  # JSONDecodeError: say where, not Python's internals
        position = getattr(exc, "pos", None)
        where = f" at character {position}" if isinstance(position, int) else ""
        raise StrictJsonError(f"malformed JSON{where}") from None
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise StrictJsonError("JSON text holds a lone surrogate (not valid Unicode)") from None
    return value


def read_json_object(data: bytes | str, *, max_depth: int = MAX_DEPTH) -> dict[str, Any]:
    """``read_json`` for bodies that must be an object."""
    value = read_json(data, max_depth=max_depth)
    if not isinstance(value, dict):
        raise StrictJsonError("body must be a JSON object")
    return value


def read_number(text: str, *, field: str) -> int | float:
    """A number given as text (a query parameter), by JSON's number grammar only."""
    if not _NUMBER.fullmatch(text):
        raise StrictJsonError(f"{field} must be a plain decimal number", field=field)
    try:
        return _number(text)
    except StrictJsonError as exc:
        raise StrictJsonError(exc.reason, field=field) from None
