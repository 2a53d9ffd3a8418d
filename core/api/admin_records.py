"""Administration (admin token): authenticators, sessions and the audit log."""

from __future__ import annotations

from core.api.http import Request, Response, Router
from core.api.validation import query_int
from core.api.views import audit_json, authenticator_json, session_json
from core.service import CoreService
from core.storage.records import AUTH_ACTIVE, AUTH_DEACTIVATED

_ADMIN = {401: "admin token required"}
_STATUSES = ("pending", "accepted", "refused", "timeout", "failure")


def register(router: Router, service: CoreService) -> None:
    directory = service.directory

    @router.route(
        "GET",
        "/v1/admin/authenticators",
        summary="List authenticators (?userID=&domain=)",
        tag="admin",
        admin=True,
        query={"userID": "filter", "domain": "filter"},
        responses={200: "{authenticators: [...]}", **_ADMIN},
    )
    async def list_authenticators(request: Request) -> Response:
        found = await directory.list_authenticators(
            user_id=request.query.get("userID"), domain=request.query.get("domain")
        )
        return Response(200, {"authenticators": [authenticator_json(a) for a in found]})

    @router.route(
        "GET",
        "/v1/admin/authenticators/{serial}",
        summary="One authenticator",
        tag="admin",
        admin=True,
        responses={200: "the authenticator", 404: "unknown", **_ADMIN},
    )
    async def get_authenticator(request: Request) -> Response:
        found = await directory.get_authenticator(request.params["serial"])
        return Response(200, authenticator_json(found))

    @router.route(
        "POST",
        "/v1/admin/authenticators/{serial}/deactivate",
        summary="Deactivate (its pending sessions fail)",
        tag="admin",
        admin=True,
        responses={200: "the authenticator", 404: "unknown", **_ADMIN},
    )
    async def deactivate(request: Request) -> Response:
        found = await directory.set_authenticator_status(request.params["serial"], AUTH_DEACTIVATED)
        return Response(200, authenticator_json(found))

    @router.route(
        "POST",
        "/v1/admin/authenticators/{serial}/unlock",
        summary="Unlock a locked authenticator",
        tag="admin",
        admin=True,
        responses={200: "the authenticator", 404: "unknown", 409: "not locked", **_ADMIN},
    )
    async def unlock(request: Request) -> Response:
        found = await directory.set_authenticator_status(request.params["serial"], AUTH_ACTIVE)
        return Response(200, authenticator_json(found))

    @router.route(
        "GET",
        "/v1/admin/sessions",
        summary="List sessions, newest first",
        tag="admin",
        admin=True,
        query={"userID": "filter", "domain": "filter", "status": "filter", "limit": "1-1000"},
        responses={200: "{sessions: [...]}", **_ADMIN},
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

    @router.route(
        "GET",
        "/v1/admin/audit-events",
        summary="The audit log (?requestID=&after=&limit=)",
        tag="admin",
        admin=True,
        query={"requestID": "filter", "after": "events after this id", "limit": "1-1000"},
        responses={200: "{events: [...]}", 400: "after/limit not integers", **_ADMIN},
    )
    async def audit_events(request: Request) -> Response:
        found = await directory.audit_events(
            request_id=request.query.get("requestID"),
            after_id=query_int(request.query, "after", default=0, low=0, high=2**62),
            limit=query_int(request.query, "limit", default=200, low=1, high=1000),
        )
        return Response(200, {"events": [audit_json(e) for e in found]})
