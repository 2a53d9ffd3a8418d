"""Administration (admin token): authenticators, sessions and the audit log."""

from __future__ import annotations

from core.api.admin_route import admin_route
from core.api.http import Request, Response, Router
from core.api.validation import query_int
from core.api.views import audit_json, authenticator_json, session_json
from core.service import CoreService
from core.storage.records import AUTH_ACTIVE, AUTH_DEACTIVATED

_STATUSES = ("pending", "accepted", "refused", "timeout", "failure")


def register(router: Router, service: CoreService) -> None:
    directory = service.directory

    @admin_route(
        router,
        "GET /v1/admin/authenticators",
        "List authenticators (?userID=&domain=)",
        {200: "{authenticators: [...]}"},
        query={"userID": "filter", "domain": "filter"},
    )
    async def list_authenticators(request: Request) -> Response:
        found = await directory.list_authenticators(
            user_id=request.query.get("userID"), domain=request.query.get("domain")
        )
        return Response(200, {"authenticators": [authenticator_json(a) for a in found]})

    @admin_route(
        router,
        "GET /v1/admin/authenticators/{serial}",
        "One authenticator",
        {200: "the authenticator", 404: "unknown"},
    )
    async def get_authenticator(request: Request) -> Response:
        found = await directory.get_authenticator(request.params["serial"])
        return Response(200, authenticator_json(found))

    @admin_route(
        router,
        "POST /v1/admin/authenticators/{serial}/deactivate",
        "Deactivate (its pending sessions fail)",
        {200: "the authenticator", 404: "unknown"},
    )
    async def deactivate(request: Request) -> Response:
        found = await directory.set_authenticator_status(request.params["serial"], AUTH_DEACTIVATED)
        return Response(200, authenticator_json(found))

    @admin_route(
        router,
        "POST /v1/admin/authenticators/{serial}/unlock",
        "Unlock a locked authenticator",
        {200: "the authenticator", 404: "unknown", 409: "not locked"},
    )
    async def unlock(request: Request) -> Response:
        found = await directory.set_authenticator_status(request.params["serial"], AUTH_ACTIVE)
        return Response(200, authenticator_json(found))

    @admin_route(
        router,
        "GET /v1/admin/sessions",
        "List sessions, newest first",
        {200: "{sessions: [...]}"},
        query={"userID": "filter", "domain": "filter", "status": "filter", "limit": "1-1000"},
    )
    async def list_sessions(request: Request) -> Response:
        status = request.query.get("status")
        found = await directory.list_sessions(
            user_id=request.query.get("userID"),
            domain=request.query.get("domain"),
            status=status if status in _STATUSES else None,
            limit=query_int(request.query, "limit", default=100, low=1, high=1000),
        )
        return Response(200, {"sessions": [session_json(s) for s in found]})

    @admin_route(
        router,
        "GET /v1/admin/audit-events",
        "The audit log (?requestID=&after=&limit=)",
        {200: "{events: [...]}", 400: "after/limit not integers"},
        query={"requestID": "filter", "after": "events after this id", "limit": "1-1000"},
    )
    async def audit_events(request: Request) -> Response:
        found = await directory.audit_events(
            request_id=request.query.get("requestID"),
            after_id=query_int(request.query, "after", default=0, low=0, high=2**62),
            limit=query_int(request.query, "limit", default=200, low=1, high=1000),
        )
        return Response(200, {"events": [audit_json(e) for e in found]})
