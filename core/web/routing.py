"""The one request, response and path router of the core API and the mocks.

No web framework is installed and the API needs little: exact paths with
``{name}`` segments, JSON in and out, optional per-route admin flag and OpenAPI
metadata. A route pattern like ``/v1/users/{userID}@{domain}/login`` becomes a
regex; ``{domain}`` never contains ``@``, so a user ID may (the last ``@``
splits); other literal text is literal, ``:`` included
(``/v1/projects/{project}/messages:send``). A pattern may also hold a named
regex group (``(?P<id>f\\d+)``); the mocks use that for token shapes. A route
answers with a ``Response`` (the core's JSON) or a ``WireResponse`` (bytes, the
mocks'), or is a *stream* route that gets the raw ASGI call (the mocks'
delivery streams). ``Router.match`` answers 404/405 as ``ApiError``; the core
API turns it into its error body, a mock (``core.web.dispatch``) into its
provider's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from core.protocol.strict_json import read_json_object
from core.web.asgi import Receive, Scope, Send
from core.web.errors import ApiError

__all__ = [
    "Answer",
    "ApiError",
    "Handler",
    "ParamsHandler",
    "Request",
    "Response",
    "Route",
    "Router",
    "StreamHandler",
    "WireResponse",
    "compile_pattern",
    "match_path",
    "send_response",
    "with_params",
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

    def wire(self) -> WireResponse:
        return self

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


Answer = Response | WireResponse  # the core's JSON answer, or a mock's bytes
Handler = Callable[[Request], Awaitable[Answer]]
ParamsHandler = Callable[[Request, dict[str, str]], Awaitable[Answer]]
StreamHandler = Callable[[Scope, Receive, Send, dict[str, str]], Awaitable[None]]
H = TypeVar("H", bound=Handler)


def with_params(handler: ParamsHandler) -> Handler:
    """``handler``, which takes the path parameters as a second argument, as a ``Handler``."""

    async def call(request: Request) -> Answer:
        return await handler(request, dict(request.params))

    call.__name__ = getattr(handler, "__name__", "handler")
    return call


async def _streamed_only(request: Request) -> Answer:
    raise ApiError(500, f"{request.method} {request.path} is a streamed route")


@dataclass(frozen=True, kw_only=True)
class Route:
    """One route: a plain ``handler``, or ``stream`` (raw ASGI, for streamed answers)."""

    method: str
    pattern: str
    handler: Handler
    regex: re.Pattern[str]
    stream: StreamHandler | None = None  # given the ASGI call itself; the body is not read
    admin: bool = False
    summary: str = ""
    tag: str = ""
    body: Mapping[str, Any] | None = None  # JSON schema of the request body
    responses: Mapping[int, str] = field(default_factory=lambda: {200: "OK"})
    query: Mapping[str, str] = field(default_factory=dict)  # query parameter -> description


T = TypeVar("T")

_PARAM = re.compile(r"\{(\w+)\}")
_GROUP = "(?P<"


def _group_end(pattern: str, start: int) -> int:
    """The index just past the regex group opened at ``start`` (escapes skipped)."""
    depth, index = 0, start
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        index += 1
        if depth == 0:
            return index
    raise ValueError(f"unbalanced group in route pattern {pattern!r}")


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """``{name}`` is one path segment (``{domain}`` stops at ``@``); a ``(?P<name>...)``
    group is kept as regex; everything else is literal (``:`` in ``messages:send`` too)."""
    out: list[str] = []
    index = 0
    while index < len(pattern):
        if pattern.startswith(_GROUP, index):
            end = _group_end(pattern, index)
            out.append(pattern[index:end])
            index = end
        elif found := _PARAM.match(pattern, index):
            name = found.group(1)
            out.append(f"(?P<{name}>[^/@]+)" if name == "domain" else f"(?P<{name}>[^/]+)")
            index = found.end()
        else:
            out.append(re.escape(pattern[index]))
            index += 1
    return re.compile("^" + "".join(out) + "$")


class Router:
    """The route table of the core API and of both mocks; the first matching route wins.

    ``route`` registers with OpenAPI metadata (decorator, the core API's form);
    ``add`` registers a handler directly and ``stream`` a raw ASGI route (the
    mocks' forms); ``include`` appends another router's routes.
    """

    def __init__(self) -> None:
        self._entries: list[Route] = []

    @property
    def routes(self) -> list[Route]:
        """Every route in order (streamed ones too)."""
        return list(self._entries)

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
    ) -> Callable[[H], H]:
        def register(handler: H) -> H:
            self.add(
                method,
                pattern,
                handler,
                admin=admin,
                summary=summary,
                tag=tag,
                body=body,
                responses={
                    **(responses or {200: "OK"}),
                    **({415: "Content-Type is not application/json"} if body else {}),
                },
                query=query or {},
            )
            return handler

        return register

    def add(self, method: str, pattern: str, handler: Handler, **metadata: Any) -> None:
        """Register ``handler``; ``metadata`` are ``Route`` fields (summary, tag, ...)."""
        self._entries.append(
            Route(
                method=method.upper(),
                pattern=pattern,
                handler=handler,
                regex=compile_pattern(pattern),
                **metadata,
            )
        )

    def stream(self, method: str, pattern: str, handler: StreamHandler) -> None:
        """Register a raw ASGI route: it answers (and reads) on its own, e.g. a long stream."""
        self.add(method, pattern, _streamed_only, stream=handler)

    def include(self, other: Router) -> None:
        self._entries.extend(other._entries)

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        return match_path(
            self._entries, method, path, key=lambda route: (route.method, route.regex)
        )


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
