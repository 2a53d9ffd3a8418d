"""Typed field access on a JSON body that collects every problem before answering 400.

Handlers read fields through ``Fields``; each accessor returns a value of the
declared type (a harmless placeholder when the field is bad) and records a
``{"field", "message"}`` entry, and ``done()`` raises one ``ApiError`` listing
all of them. Wrong types are therefore always a 400, never a 500.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from core.api.http import ApiError


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

    def opt_string(
        self,
        name: str,
        *,
        max_len: int = 256,
        min_len: int = 0,
        choices: tuple[str, ...] | None = None,
    ) -> str | None:
        value = self._data.get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            self._fail(name, "must be a string")
            return None
        if not min_len <= len(value) <= max_len:
            self._fail(name, f"must be {min_len}-{max_len} characters")
            return None
        if choices is not None and value not in choices:
            self._fail(name, f"must be one of {', '.join(choices)}")
            return None
        return value

    def string(
        self,
        name: str,
        *,
        max_len: int = 256,
        min_len: int = 1,
        choices: tuple[str, ...] | None = None,
    ) -> str:
        if self._data.get(name) is None:
            self._fail(name, "is required")
            return ""
        value = self.opt_string(name, max_len=max_len, min_len=min_len, choices=choices)
        return "" if value is None else value

    def opt_integer(self, name: str, *, low: int, high: int) -> int | None:
        value = self._data.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self._fail(name, "must be an integer")
            return None
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
        value = self._data.get(name)
        if value is None:
            return None
        if not isinstance(value, bool):
            self._fail(name, "must be true or false")
            return None
        return value

    def opt_object(self, name: str) -> Fields | None:
        value = self._data.get(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            self._fail(name, "must be an object")
            return None
        return Fields(value, prefix=f"{self._prefix}{name}.")

    def object(self, name: str) -> Fields:
        if self._data.get(name) is None:
            self._fail(name, "is required")
            return Fields({}, prefix=f"{self._prefix}{name}.")
        found = self.opt_object(name)
        return found if found is not None else Fields({}, prefix=f"{self._prefix}{name}.")

    def opt_string_map(self, name: str, *, max_items: int = 32) -> dict[str, str] | None:
        value = self._data.get(name)
        if value is None:
            return None
        if (
            not isinstance(value, dict)
            or len(value) > max_items
            or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
        ):
            self._fail(name, f"must be an object of at most {max_items} string values")
            return None
        return dict(value)

    def opt_string_list(self, name: str, *, max_items: int = 16) -> list[str] | None:
        value = self._data.get(name)
        if value is None:
            return None
        if (
            not isinstance(value, list)
            or len(value) > max_items
            or not all(isinstance(v, str) for v in value)
        ):
            self._fail(name, f"must be a list of at most {max_items} strings")
            return None
        return list(value)

    def merge(self, other: Fields) -> None:
        self.errors.extend(other.errors)

    def done(self) -> None:
        if self.errors:
            raise ApiError(400, "invalid request body", validation_errors=self.errors)


def query_float(query: Mapping[str, str], name: str, *, low: float, high: float) -> float | None:
    """A numeric query parameter, clamped to [low, high]; 400 when not a number."""
    text = query.get(name)
    if text is None or text == "":
        return None
    try:
        value = float(text)
    except ValueError as exc:
        raise ApiError(
            400,
            "invalid query parameter",
            validation_errors=[{"field": name, "message": "must be a number"}],
        ) from exc
    if math.isnan(value):
        raise ApiError(
            400,
            "invalid query parameter",
            validation_errors=[{"field": name, "message": "must be a number"}],
        )
    return min(max(value, low), high)


def query_int(query: Mapping[str, str], name: str, *, default: int, low: int, high: int) -> int:
    text = query.get(name)
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError as exc:
        raise ApiError(
            400,
            "invalid query parameter",
            validation_errors=[{"field": name, "message": "must be an integer"}],
        ) from exc
    return min(max(value, low), high)
