"""The one shape of an admin route: tag ``admin``, the bearer check, the 401 it can answer.

Errors need no wrapping here: the API's one error handler answers every
error with wire field names (``api/views.error_json``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from core.api.http import Handler, Request, Response, Router

ADMIN_RESPONSES = {401: "admin token required"}


def admin_route(
    router: Router,
    route: str,
    summary: str,
    responses: Mapping[int, str],
    *,
    body: Mapping[str, Any] | None = None,
    query: Mapping[str, str] | None = None,
    tag: str = "admin",
) -> Callable[[Handler], Handler]:
    """``route`` is ``"METHOD /path"``; every admin route also answers 401 without the token.

    ``tag`` groups the route in the OpenAPI document; admin routes of other
    areas (a session's trace, a registration) keep their area's tag.
    """
    method, pattern = route.split(" ", 1)
    register = router.route(
        method,
        pattern,
        summary=summary,
        tag=tag,
        admin=True,
        body=body,
        query=query,
        responses={**responses, **ADMIN_RESPONSES},
    )

    return register


def keyed(
    name: str, call: Callable[..., Awaitable[Any]], render: Callable[[Any], Any] | None = None
) -> Handler:
    """A handler named ``name``: ``call`` with the path parameters in the pattern's order, then
    200 with ``render`` of the result, or 204 without ``render``."""

    async def handler(request: Request) -> Response:
        result = await call(*request.params.values())
        return Response(204) if render is None else Response(200, render(result))

    handler.__name__ = name
    return handler


def listing(key: str, view: Callable[[Any], Any]) -> Callable[[Any], dict[str, Any]]:
    """Render a list of records as ``{key: [view(record), ...]}``."""
    return lambda records: {key: [view(record) for record in records]}


AdminRow = (
    tuple[str, str, Mapping[int, str], Handler]
    | tuple[str, str, Mapping[int, str], Handler, Mapping[str, Any]]
)


def admin_routes(router: Router, rows: Iterable[AdminRow]) -> None:
    """Register admin routes in order: ``(route, summary, responses, handler[, options])``,
    ``options`` being ``admin_route``'s ``body`` and ``query``."""
    for route, summary, responses, handler, *options in rows:
        admin_route(router, route, summary, responses, **(options[0] if options else {}))(handler)
