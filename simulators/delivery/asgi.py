"""The mocks' ASGI dispatcher over the shared plumbing (``core.web``).

Requests are ``core.web.routing.Request`` (the core API's own, strict
``json()``) and routes are matched by ``core.web.routing.match_path``.
Routes are (method, path regex) pairs. A plain route gets the whole request
(body read up to a limit) and returns an ``HttpResponse``; a raw route gets the
ASGI ``scope, receive, send`` for streamed responses. ``lifespan`` is answered
so hypercorn does not log a missing-lifespan error.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl

from core.web.asgi import ASGIApp, Receive, Scope, Send, answer_lifespan
from core.web.body import BodyTooLarge, ClientGone, read_body
from core.web.errors import ApiError
from core.web.routing import Request, WireResponse, match_path, send_response

__all__ = [
    "ASGIApp",
    "BodyTooLarge",
    "ClientGone",
    "HttpRequest",
    "HttpResponse",
    "Receive",
    "Router",
    "Scope",
    "Send",
    "send_response",
]

DEFAULT_BODY_LIMIT = 1 << 20


HttpRequest = Request  # one request type for the core API and the mocks


HttpResponse = WireResponse  # one answer type on the wire for the core API and the mocks


Handler = Callable[[HttpRequest, dict[str, str]], Awaitable[HttpResponse]]
RawHandler = Callable[[Scope, Receive, Send, dict[str, str]], Awaitable[None]]
Fallback = Callable[[HttpRequest], HttpResponse]


async def read_request(scope: Scope, receive: Receive, *, limit: int) -> HttpRequest:
    body = await read_body(receive, limit=limit)
    header_list = tuple(
        (name.decode("latin-1").lower(), value.decode("latin-1"))
        for name, value in scope.get("headers", ())
    )
    query_string = bytes(scope.get("query_string", b"")).decode("latin-1")
    return Request(
        method=str(scope["method"]).upper(),
        path=str(scope["path"]),
        query=dict(parse_qsl(query_string)),
        query_string=query_string,
        headers=dict(header_list),
        body=body,
        header_list=header_list,
    )


def _plain_not_found(request: HttpRequest) -> HttpResponse:
    return HttpResponse.json(404, {"message": f"no route for {request.method} {request.path}"})


class Router:
    """Dispatch on method and path; the first matching route wins."""

    def __init__(
        self, *, fallback: Fallback = _plain_not_found, body_limit: int = DEFAULT_BODY_LIMIT
    ) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler | None, RawHandler | None]] = []
        self._fallback = fallback
        self._body_limit = body_limit

    def route(self, method: str, pattern: str, handler: Handler) -> None:
        self._routes.append((method.upper(), re.compile(f"^{pattern}$"), handler, None))

    def raw_route(self, method: str, pattern: str, handler: RawHandler) -> None:
        self._routes.append((method.upper(), re.compile(f"^{pattern}$"), None, handler))

    def include(self, other: Router) -> None:
        self._routes.extend(other._routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await answer_lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        method = str(scope["method"]).upper()
        path = str(scope["path"])
        try:
            (_, _, handler, raw), params = match_path(
                self._routes, method, path, key=lambda route: (route[0], route[1])
            )
        except ApiError as error:
            await self._refuse(scope, receive, send, error)
            return
        if raw is not None:
            await raw(scope, receive, send, params)
            return
        assert handler is not None
        await self._plain(scope, receive, send, handler, params)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, error: ApiError) -> None:
        method = str(scope["method"]).upper()
        path = str(scope["path"])
        try:
            request = await read_request(scope, receive, limit=self._body_limit)
        except (ClientGone, BodyTooLarge):
            request = Request(method=method, path=path)
        if error.status == 405:
            response = HttpResponse.json(405, {"message": f"{method} is not allowed on {path}"})
        else:
            response = self._fallback(request)
        await send_response(send, response)

    async def _plain(
        self, scope: Scope, receive: Receive, send: Send, handler: Handler, params: dict[str, str]
    ) -> None:
        try:
            request = await read_request(scope, receive, limit=self._body_limit)
        except ClientGone:
            return
        except BodyTooLarge:
            await send_response(send, HttpResponse.json(413, {"message": "request too large"}))
            return
        await send_response(send, await handler(request, params))
