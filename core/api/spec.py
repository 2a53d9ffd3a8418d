"""The core API's operations as declared in ``routes.toml`` (spec first).

``load()`` reads the file shipped with the package; ``Operation`` is one
entry with the answers the API adds on its own (400 where input can be
refused, 401 for admin routes, 413 and 415 for bodies). ``path_params`` checks path
parameters against their declared formats, so what ``/openapi.json`` states
is what the server enforces.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from core.api.http import ApiError

_PARAM = re.compile(r"\{(\w+)\}")
ADDED_RESPONSES = {
    400: "invalid path parameter, query or body",
    401: "admin token required",
    413: "body larger than the limit",
    415: "a JSON body without Content-Type: application/json",
}


@dataclass(frozen=True, kw_only=True)
class Operation:
    id: str
    method: str
    path: str
    tag: str
    summary: str
    admin: bool
    body: str | None  # a schema name in ``Spec.schemas``
    query: Mapping[str, Mapping[str, Any]]  # name -> {description, schema, required?}
    declared: Mapping[int, str]
    call: str | None
    view: str | None
    list_key: str | None
    args: tuple[str, ...]

    @property
    def params(self) -> list[str]:
        return _PARAM.findall(self.path)

    @property
    def responses(self) -> dict[int, str]:
        """Every status the operation can answer, declared or added by the API."""
        added = {
            400: bool(self.params or self.query or self.body),
            401: self.admin,
            413: self.body is not None,
            415: self.body is not None,
        }
        out = dict(self.declared)
        for status, applies in added.items():
            if applies and status not in out:
                out[status] = ADDED_RESPONSES[status]
        return dict(sorted(out.items()))


@dataclass(frozen=True)
class Spec:
    operations: Mapping[str, Operation]
    parameters: Mapping[str, Mapping[str, Any]]  # path parameter -> {description, schema}
    schemas: Mapping[str, Any]

    def path_params(self, values: Mapping[str, str]) -> dict[str, str]:
        """``values`` when each matches its declared format; ApiError 400 naming the first that
        does not."""
        for name, value in values.items():
            pattern = self.parameters[name]["schema"]["pattern"]
            if re.search(pattern, value) is None:
                raise ApiError(
                    400,
                    f"invalid path parameter {name}",
                    validation_errors=[
                        {"field": name, "message": self.parameters[name]["description"]}
                    ],
                )
        return dict(values)


def _operation(op_id: str, entry: Mapping[str, Any]) -> Operation:
    method, path = entry["route"].split(" ", 1)
    return Operation(
        id=op_id,
        method=method,
        path=path,
        tag=entry["tag"],
        summary=entry["summary"],
        admin=entry.get("admin", False),
        body=entry.get("body"),
        query=entry.get("query", {}),
        declared={int(status): text for status, text in entry["responses"].items()},
        call=entry.get("call"),
        view=entry.get("view"),
        list_key=entry.get("list"),
        args=tuple(entry.get("args", ())),
    )


@cache
def load() -> Spec:
    text = resources.files("core.api").joinpath("routes.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    operations = {op_id: _operation(op_id, e) for op_id, e in data["operations"].items()}
    spec = Spec(operations, data["parameters"], data["schemas"])
    for op in operations.values():
        unknown = [p for p in op.params if p not in spec.parameters]
        if unknown or (op.body is not None and op.body not in spec.schemas):
            raise ValueError(f"routes.toml: {op.id} names an undeclared parameter or schema")
    return spec
