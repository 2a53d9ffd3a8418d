"""Session status with long poll (open); the trace (admin) is a ``call`` operation."""

from __future__ import annotations

from core.api.http import Request, Response
from core.api.operations import operation
from core.api.validation import query_number
from core.api.views import session_status_json
from core.service import CoreService


@operation
async def session_status(service: CoreService, request: Request) -> Response:
    wait = query_number(request.query, "wait", low=0.0, high=1e12)
    wait = None if wait is None else min(wait, service.settings.max_wait)
    session = await service.session_status(request.params["requestID"], wait)
    return Response(200, session_status_json(session))
