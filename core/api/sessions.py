"""Session status with long poll (open) and the message trace (admin)."""

from __future__ import annotations

from core.api.admin_route import admin_route
from core.api.http import Request, Response, Router
from core.api.validation import query_float
from core.api.views import session_status_json, trace_json
from core.service import CoreService


def register(router: Router, service: CoreService) -> None:
    @router.route(
        "GET",
        "/v1/sessions/{requestID}",
        summary="Session status; ?wait=seconds long-polls (at most 30 s) until it is decided",
        tag="sessions",
        query={"wait": "seconds to wait while the session is pending (0-30)"},
        responses={
            200: "{requestID, sessionStatus, reason?, protection, number?}",
            400: "wait is not a number",
            404: "unknown session (sessionStatus: unknown)",
        },
    )
    async def status(request: Request) -> Response:
        wait = query_float(request.query, "wait", low=0.0, high=service.settings.max_wait)
        session = await service.session_status(request.params["requestID"], wait)
        return Response(200, session_status_json(session))

    @admin_route(
        router,
        "GET /v1/sessions/{requestID}/trace",
        "Ordered message trace: steps 1-7, raw messages, headers, bodies, checks",
        {200: "the trace", 404: "unknown session"},
        tag="sessions",
    )
    async def trace(request: Request) -> Response:
        return Response(200, trace_json(await service.trace(request.params["requestID"])))
