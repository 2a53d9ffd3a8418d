"""The one shape of an admin route: tag ``admin``, the bearer check, and the 401 it can answer."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from core.api.http import Handler, Router

ADMIN_RESPONSES = {401: "admin token required"}


def admin_route(
    router: Router,
    route: str,
    summary: str,
    responses: Mapping[int, str],
    *,
    body: Mapping[str, Any] | None = None,
    query: Mapping[str, str] | None = None,
) -> Callable[[Handler], Handler]:
    """``route`` is ``"METHOD /path"``; every admin route also answers 401 without the token."""
    method, pattern = route.split(" ", 1)
    return router.route(
        method,
        pattern,
        summary=summary,
        tag="admin",
        admin=True,
        body=body,
        query=query,
        responses={**responses, **ADMIN_RESPONSES},
    )
