"""``RoutedApp``: a ``Router`` served as an ASGI app, the way the mocks answer.

A plain route gets the whole request (body read up to ``body_limit``, else 413)
and returns its answer; a stream route gets the ASGI call itself. A path no
route knows is answered by ``not_found`` (the provider's own 404 shape); a
known path with another method is 405. The body of a refused request is read
(up to the limit) first, so HTTP/1.1 keep-alive stays in step. ``lifespan`` is
answered so hypercorn does not log a missing-lifespan error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from urllib.parse import parse_qsl

from core.web.asgi import Receive, Scope, Send, answer_lifespan
from core.web.body import BodyTooLarge, ClientGone, read_body
from core.web.errors import ApiError
from core.web.routing import Request, Router, WireResponse, send_response

DEFAULT_BODY_LIMIT = 1 << 20

NotFound = Callable[[Request], WireResponse]


def _plain_not_found(request: Request) -> WireResponse:
    return WireResponse.json(404, {"message": f"no route for {request.method} {request.path}"})


def scope_request(scope: Scope, *, body: bytes, params: Mapping[str, str] | None = None) -> Request:
    """The ASGI request (its scope, and the body already read) as a ``Request``."""
    header_list = tuple(
        (name.decode("latin-1").lower(), value.decode("latin-1"))
        for name, value in scope.get("headers", ())
    )
    query_string = bytes(scope.get("query_string", b"")).decode("latin-1")
    client = scope.get("client") or ("", 0)
    return Request(
        method=str(scope["method"]).upper(),
        path=str(scope["path"]),
        params=dict(params or {}),
        # blank values kept: `?limit=` is a malformed limit, not a missing one
        query=dict(parse_qsl(query_string, keep_blank_values=True)),
        query_string=query_string,
        headers=dict(header_list),
        body=body,
        client=str(client[0]),
        header_list=header_list,
    )


async def read_request(
    scope: Scope, receive: Receive, *, limit: int, params: Mapping[str, str] | None = None
) -> Request:
    """``scope_request`` after reading the body; ``BodyTooLarge`` / ``ClientGone`` from it."""
    return scope_request(scope, body=await read_body(receive, limit=limit), params=params)


class RoutedApp:
    """ASGI 3 callable over ``router``; the first matching route wins."""

    def __init__(
        self,
        router: Router,
        *,
        not_found: NotFound = _plain_not_found,
        body_limit: int = DEFAULT_BODY_LIMIT,
    ) -> None:
        self.router = router
        self._not_found = not_found
        self._body_limit = body_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await answer_lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        method = str(scope["method"]).upper()
        path = str(scope["path"])
        try:
            route, params = self.router.match(method, path)
        except ApiError as error:
            await self._refuse(scope, receive, send, error)
            return
        if route.stream is not None:
            await route.stream(scope, receive, send, params)
            return
        try:
            request = await read_request(scope, receive, limit=self._body_limit, params=params)
        except ClientGone:
            return
        except BodyTooLarge:
            await send_response(send, WireResponse.json(413, {"message": "request too large"}))
            return
        await send_response(send, (await route.handler(request)).wire())

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, error: ApiError) -> None:
        method = str(scope["method"]).upper()
        path = str(scope["path"])
        try:
            request = await read_request(scope, receive, limit=self._body_limit)
        except (ClientGone, BodyTooLarge):
            request = Request(method=method, path=path)
        if error.status == 405:
            response = WireResponse.json(405, {"message": f"{method} is not allowed on {path}"})
        else:
            response = self._not_found(request)
        await send_response(send, response)
