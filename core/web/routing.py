"""The one request, response and path router of the core API and the mocks.

No web framework is installed and the API needs little: exact paths with
``{name}`` segments, JSON in and out, per-route admin flag and OpenAPI
metadata. A route pattern like ``/v1/users/{userID}@{domain}/login`` becomes a
regex; ``{domain}`` never contains ``@``, so a user ID may (the last ``@``
splits). A pattern may also hold a named regex group (``(?P<id>f\\d+)``);
the mocks use that for token shapes. ``Router.match`` answers 404/405 as
``ApiError``; the core API turns it into its error body, a mock into its
provider's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from core.protocol.strict_json import read_json_object
from core.web.asgi import Send
from core.web.errors import ApiError

__all__ = [
    "ApiError",
    "Handler",
    "Request",
    "Response",
    "Route",
    "Router",
    "WireResponse",
    "compile_pattern",
    "match_path",
    "send_response",
]


@dataclass(frozen=True, kw_only=True)
class Request:
    method: str
    path: str
    params: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    client: str = ""

    query_string: str = ""
    header_list: tuple[tuple[str, str], ...] = ()

    def json(self) -> dict[str, Any]:
        """The body as a strict JSON object; ``StrictJsonError`` (400) otherwise."""
        if not self.body.strip():
            raise ApiError(400, "request body must be a JSON object")
        return read_json_object(self.body)

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)

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

    def wire(self) -> WireResponse:
        """The core API's answer on the wire: JSON, never cached, plus its own headers."""
        return WireResponse(
            status=self.status,
            body=self.encode(),
            headers=(
                ("content-type", "application/json"),
                ("cache-control", "no-store"),
                *self.headers.items(),
            ),
        )


@dataclass(frozen=True, kw_only=True)
class WireResponse:
    """An answer as bytes and header pairs, as ``send_response`` writes it (the mocks' type)."""

    status: int
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = field(default=())

    @classmethod
    def json(
        cls, status: int, data: Any, headers: tuple[tuple[str, str], ...] = ()
    ) -> WireResponse:
        body = json.dumps(data, separators=(",", ":")).encode("utf-8")
        return cls(
            status=status,
            body=body,
            headers=(("content-type", "application/json; charset=UTF-8"), *headers),
        )


async def send_response(send: Send, response: WireResponse) -> None:
    """``http.response.start`` (with Content-Length) and one ``http.response.body``."""
    headers = [
        (name.encode("latin-1"), value.encode("latin-1")) for name, value in response.headers
    ]
    headers.append((b"content-length", str(len(response.body)).encode("ascii")))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body})


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


T = TypeVar("T")

_PARAM = re.compile(r"\{(\w+)\}")


def compile_pattern(pattern: str) -> re.Pattern[str]:
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
                    responses={
                        **(responses or {200: "OK"}),
                        **({415: "Content-Type is not application/json"} if body else {}),
                    },
                    query=query or {},
                    regex=compile_pattern(pattern),
                )
            )
            return handler

        return register

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        return match_path(self.routes, method, path, key=lambda route: (route.method, route.regex))


def match_path(
    entries: Iterable[T],
    method: str,
    path: str,
    *,
    key: Callable[[T], tuple[str, re.Pattern[str]]],
) -> tuple[T, dict[str, str]]:
    """The first entry whose (method, regex) matches; ``ApiError`` 405 or 404 otherwise."""
    allowed: list[str] = []
    for entry in entries:
        entry_method, regex = key(entry)
        found = regex.match(path)
        if found is None:
            continue
        if entry_method == method:
            return entry, found.groupdict()
        allowed.append(entry_method)
    if allowed:
        raise ApiError(
            405,
            f"method {method} not allowed here",
            headers={"allow": ", ".join(sorted(set(allowed)))},
        )
    raise ApiError(404, f"no such endpoint: {path}")
