"""Administration (admin token): authenticators, sessions and the audit log."""

from __future__ import annotations

from core.api.admin_route import admin_routes, keyed
from core.api.http import Handler, Request, Response, Router
from core.api.validation import query_int
from core.api.views import audit_json, authenticator_json, session_json
from core.service import CoreService
from core.storage.records import AUTH_ACTIVE, AUTH_DEACTIVATED, AuthenticatorRecord
from core.storage.repo_sessions import SessionQuery

_STATUSES = ("pending", "accepted", "refused", "timeout", "failure")


AUTHENTICATORS = "/v1/admin/authenticators"
FILTERS = {"userID": "filter", "domain": "filter"}


def register(router: Router, service: CoreService) -> None:
    directory = service.directory

    async def list_authenticators(request: Request) -> Response:
        found = await directory.list_authenticators(
            user_id=request.query.get("userID"), domain=request.query.get("domain")
        )
        return Response(200, {"authenticators": [authenticator_json(a) for a in found]})

    def set_status(name: str, status: str) -> Handler:
        async def call(serial: str) -> AuthenticatorRecord:
            return await directory.set_authenticator_status(serial, status)

        return keyed(name, call, authenticator_json)

    async def list_sessions(request: Request) -> Response:
        status = request.query.get("status")
        query = SessionQuery(
            user_id=request.query.get("userID"),
            domain=request.query.get("domain"),
            status=status if status in _STATUSES else None,
            limit=query_int(request.query, "limit", default=100, low=1, high=1000),
        )
        found = await directory.list_sessions(query)
        return Response(200, {"sessions": [session_json(s) for s in found]})

    async def audit_events(request: Request) -> Response:
        found = await directory.audit_events(
            request_id=request.query.get("requestID"),
            after_id=query_int(request.query, "after", default=0, low=0, high=2**62),
            limit=query_int(request.query, "limit", default=200, low=1, high=1000),
        )
        return Response(200, {"events": [audit_json(e) for e in found]})

    admin_routes(
        router,
        [
            (
                f"GET {AUTHENTICATORS}",
                "List authenticators (?userID=&domain=)",
                {200: "{authenticators: [...]}"},
                list_authenticators,
                {"query": FILTERS},
            ),
            (
                f"GET {AUTHENTICATORS}/{{serial}}",
                "One authenticator",
                {200: "the authenticator", 404: "unknown"},
                keyed("get_authenticator", directory.get_authenticator, authenticator_json),
            ),
            (
                f"POST {AUTHENTICATORS}/{{serial}}/deactivate",
                "Deactivate (its pending sessions fail)",
                {200: "the authenticator", 404: "unknown"},
                set_status("deactivate", AUTH_DEACTIVATED),
            ),
            (
                f"POST {AUTHENTICATORS}/{{serial}}/unlock",
                "Unlock a locked authenticator",
                {200: "the authenticator", 404: "unknown", 409: "not locked"},
                set_status("unlock", AUTH_ACTIVE),
            ),
            (
                "GET /v1/admin/sessions",
                "List sessions, newest first",
                {200: "{sessions: [...]}"},
                list_sessions,
                {"query": {**FILTERS, "status": "filter", "limit": "1-1000"}},
            ),
            (
                "GET /v1/admin/audit-events",
                "The audit log (?requestID=&after=&limit=)",
                {200: "{events: [...]}", 400: "after/limit not integers"},
                audit_events,
                {
                    "query": {
                        "requestID": "filter",
                        "after": "events after this id",
                        "limit": "1-1000",
                    }
                },
            ),
        ],
    )
