"""Administration (admin token): authenticators, sessions and the audit log.

The single-record operations are ``call`` operations of ``routes.toml``.
"""

from __future__ import annotations

from core.api.http import Request, Response
from core.api.operations import operation
from core.api.validation import query_choice, query_int
from core.api.views import audit_json, authenticator_json, session_json
from core.service import CoreService
from core.storage.repo_sessions import SessionQuery

_STATUSES = ("pending", "accepted", "refused", "timeout", "failure")


@operation
async def list_authenticators(service: CoreService, request: Request) -> Response:
    found = await service.directory.list_authenticators(
        user_id=request.query.get("userID"), domain=request.query.get("domain")
    )
    return Response(200, {"authenticators": [authenticator_json(a) for a in found]})


@operation
async def list_sessions(service: CoreService, request: Request) -> Response:
    query = SessionQuery(
        user_id=request.query.get("userID"),
        domain=request.query.get("domain"),
        status=query_choice(request.query, "status", _STATUSES),
        limit=query_int(request.query, "limit", default=100, low=1, high=1000),
    )
    found = await service.directory.list_sessions(query)
    return Response(200, {"sessions": [session_json(s) for s in found]})


@operation
async def audit_events(service: CoreService, request: Request) -> Response:
    found = await service.directory.audit_events(
        request_id=request.query.get("requestID"),
        after_id=query_int(request.query, "after", default=0, low=0, high=2**62),
        limit=query_int(request.query, "limit", default=200, low=1, high=1000),
    )
    return Response(200, {"events": [audit_json(e) for e in found]})
