"""A tiny ASGI toolkit: request, response, API errors and a path router.

No web framework is installed and the API needs little: exact paths with
``{name}`` segments, JSON in and out, per-route admin flag and OpenAPI
metadata. A route pattern like ``/v1/users/{userID}@{domain}/login`` becomes a
regex; ``{domain}`` never contains ``@``, so a user ID may (the last ``@``
splits).
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from core.web.errors import ApiError

__all__ = ["ApiError", "Handler", "Request", "Response", "Route", "Router"]


@dataclass(frozen=True, kw_only=True)
class Request:
    method: str
    path: str
    params: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    client: str = ""

    def json(self) -> dict[str, Any]:
        """The body as a JSON object; 400 for anything else."""
        if not self.body.strip():
            raise ApiError(400, "request body must be a JSON object")
        try:
            data = json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError(400, f"malformed JSON: {exc}") from exc
        except RecursionError as exc:
            raise ApiError(400, "malformed JSON: nested too deeply") from exc
        if not isinstance(data, dict):
            raise ApiError(400, "request body must be a JSON object")
        try:
            # JSON may carry lone surrogates (\ud800) that no UTF-8 store accepts
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except (UnicodeEncodeError, RecursionError) as exc:
            raise ApiError(400, "malformed JSON: not valid Unicode text") from exc
        return data

    def bearer(self) -> str | None:
        value = self.headers.get("authorization", "")
        scheme, _, token = value.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return token.strip()


@dataclass(frozen=True)
class Response:
    status: int
    body: Any = None  # JSON-able, or None for an empty body
    headers: Mapping[str, str] = field(default_factory=dict)

    def encode(self) -> bytes:
        if self.body is None:
            return b""
        return json.dumps(self.body, ensure_ascii=False, separators=(",", ":")).encode()


Handler = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True, kw_only=True)
class Route:
    method: str
    pattern: str
    handler: Handler
    admin: bool
    summary: str
    tag: str
    body: Mapping[str, Any] | None  # JSON schema of the request body
    responses: Mapping[int, str]
    query: Mapping[str, str]  # query parameter -> description
    regex: re.Pattern[str]


_PARAM = re.compile(r"\{(\w+)\}")


def _compile(pattern: str) -> re.Pattern[str]:
    out, last = [], 0
    for match in _PARAM.finditer(pattern):
        out.append(re.escape(pattern[last : match.start()]))
        name = match.group(1)
        out.append(f"(?P<{name}>[^/@]+)" if name == "domain" else f"(?P<{name}>[^/]+)")
        last = match.end()
    out.append(re.escape(pattern[last:]))
    return re.compile("^" + "".join(out) + "$")


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def route(
        self,
        method: str,
        pattern: str,
        *,
        summary: str,
        tag: str,
        admin: bool = False,
        body: Mapping[str, Any] | None = None,
        responses: Mapping[int, str] | None = None,
        query: Mapping[str, str] | None = None,
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.routes.append(
                Route(
                    method=method,
                    pattern=pattern,
                    handler=handler,
                    admin=admin,
                    summary=summary,
                    tag=tag,
                    body=body,
                    responses=responses or {200: "OK"},
                    query=query or {},
                    regex=_compile(pattern),
                )
            )
            return handler

        return register

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        allowed: list[str] = []
        for route in self.routes:
            found = route.regex.match(path)
            if found is None:
                continue
            if route.method == method:
                return route, found.groupdict()
            allowed.append(route.method)
        if allowed:
            raise ApiError(
                405,
                f"method {method} not allowed here",
                headers={"allow": ", ".join(sorted(set(allowed)))},
            )
        raise ApiError(404, f"no such endpoint: {path}")
