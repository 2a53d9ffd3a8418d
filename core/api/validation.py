"""Typed field access on a JSON body that collects every problem before answering 400.

Handlers read fields through ``Fields``; each accessor returns a value of the
declared type (a harmless placeholder when the field is bad) and records a
``{"field", "message"}`` entry, and ``done()`` raises one ``ApiError`` listing
all of them. Wrong types are therefore always a 400, never a 500.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, TypeVar

from core.api.http import ApiError
from core.protocol.strict_json import read_number

T = TypeVar("T")


class Fields:
    def __init__(self, data: Mapping[str, Any], prefix: str = "") -> None:
        self._data = data
        self._prefix = prefix
        self.errors: list[dict[str, str]] = []

    def _fail(self, name: str, message: str) -> None:
        self.errors.append({"field": self._prefix + name, "message": message})

    def has(self, name: str) -> bool:
        return self._data.get(name) is not None

    def raw(self, name: str) -> Any:
        """The untyped value, for fields that accept more than one JSON type."""
        return self._data.get(name)

    def _typed(self, name: str, kind: type | tuple[type, ...], message: str) -> Any:
        """The value if of ``kind`` (a bool is no number), None when absent; an explicit null or
        a value of another kind records a problem (``message``) and gives None."""
        value = self._data.get(name)
        if value is None:
            if name in self._data:
                self._fail(name, "must not be null (leave the field out)")
            return None
        if isinstance(value, kind) and (kind is bool or not isinstance(value, bool)):
            return value
        self._fail(name, message)
        return None

    def opt_string(
        self,
        name: str,
        *,
        max_len: int = 256,
        min_len: int = 0,
        choices: tuple[str, ...] | None = None,
    ) -> str | None:
        value: str | None = self._typed(name, str, "must be a string")
        if value is None:
            return None
        if not min_len <= len(value) <= max_len:
            self._fail(name, f"must be {min_len}-{max_len} characters")
            return None
        if choices is not None and value not in choices:
            self._fail(name, f"must be one of {', '.join(choices)}")
            return None
        return value

    def string(self, name: str, **limits: Any) -> str:
        """A required string; ``limits`` as ``opt_string``'s, with ``min_len`` 1 by default."""
        if self._data.get(name) is None:
            self._fail(name, "is required")
            return ""
        value = self.opt_string(name, **{"min_len": 1, **limits})
        return "" if value is None else value

    def opt_integer(self, name: str, *, low: int, high: int) -> int | None:
        found = self._typed(name, (int, float), "must be an integer")
        if found is None:
            return None
        if isinstance(found, float) and not found.is_integer():
            self._fail(name, "must be an integer")
            return None
        value = int(found)  # JSON Schema's integer: 3 and 3.0 alike
        if not low <= value <= high:
            self._fail(name, f"must be between {low} and {high}")
            return None
        return value

    def number(self, name: str) -> float:
        value = self._data.get(name)
        if value is None:
            self._fail(name, "is required")
            return 0.0
        if isinstance(value, bool) or not isinstance(value, int | float):
            self._fail(name, "must be a number")
            return 0.0
        if math.isnan(value) or math.isinf(value):
            self._fail(name, "must be a finite number")
            return 0.0
        return float(value)

    def opt_boolean(self, name: str) -> bool | None:
        value: bool | None = self._typed(name, bool, "must be true or false")
        return value

    def opt_object(self, name: str) -> Fields | None:
        value = self._typed(name, dict, "must be an object")
        return None if value is None else Fields(value, prefix=f"{self._prefix}{name}.")

    def object(self, name: str) -> Fields:
        if self._data.get(name) is None:
            self._fail(name, "is required")
            return Fields({}, prefix=f"{self._prefix}{name}.")
        found = self.opt_object(name)
        return found if found is not None else Fields({}, prefix=f"{self._prefix}{name}.")

    def opt_string_map(self, name: str, *, max_items: int = 32) -> dict[str, str] | None:
        found = self._sized(
            name, dict, max_items, f"an object of at most {max_items} string values"
        )
        return None if found is None else dict(found)

    def opt_string_list(self, name: str, *, max_items: int = 16) -> list[str] | None:
        found = self._sized(name, list, max_items, f"a list of at most {max_items} strings")
        return None if found is None else list(found)

    def _sized(self, name: str, kind: type, max_items: int, what: str) -> Any:
        """A dict (string keys) or list of at most ``max_items`` string values; None when absent,
        or wrong (the problem recorded)."""
        value = self._data.get(name)
        if value is None:
            return self._typed(name, kind, "")  # absent, or null (refused)
        sized: Any = value
        strings = [*value, *value.values()] if isinstance(value, dict) else value
        if (
            isinstance(value, kind)
            and len(sized) <= max_items
            and all(isinstance(v, str) for v in strings)
        ):
            return value
        self._fail(name, f"must be {what}")
        return None

    def merge(self, other: Fields) -> None:
        self.errors.extend(other.errors)

    def done(self) -> None:
        if self.errors:
            raise ApiError(400, "invalid request body", validation_errors=self.errors)

    def checked(self, value: T) -> T:
        """``value`` once every field read so far was good (``done``); for the last read."""
        self.done()
        return value


def _bad_query(name: str, message: str) -> ApiError:
    return ApiError(
        400, "invalid query parameter", validation_errors=[{"field": name, "message": message}]
    )


def query_number(query: Mapping[str, str], name: str, *, low: float, high: float) -> float | None:
    """A numeric query parameter by JSON's number grammar (``strict_json.read_number``), in
    [low, high]; None when absent, 400 naming ``name`` otherwise."""
    text = query.get(name)
    if text is None:
        return None
    value = read_number(text, field=name)
    if not low <= value <= high:
        raise _bad_query(name, f"must be between {low:g} and {high:g}")
    return float(value)


def query_int(query: Mapping[str, str], name: str, *, default: int, low: int, high: int) -> int:
    """An integer query parameter: ASCII digits (optional ``-``) only, in [low, high]."""
    text = query.get(name)
    if text is None:
        return default
    value = read_number(text, field=name)
    if not isinstance(value, int):
        raise _bad_query(name, "must be an integer")
    if not low <= value <= high:
        raise _bad_query(name, f"must be between {low} and {high}")
    return value


def query_choice(query: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str | None:
    """One of ``choices``, or None when absent; 400 naming ``name`` otherwise."""
    text = query.get(name)
    if text is None:
        return None
    if text not in choices:
        raise _bad_query(name, f"must be one of {', '.join(choices)}")
    return text
