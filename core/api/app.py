"""The core's ASGI application: body limits, admin auth, routing and error shapes.

Every answer is JSON. Errors always have ``{"message", "validationErrors"}``
(plus fields such as ``check`` or ``remainingAttempts``); a bug answers a
generic 500 and is logged, never a stack trace. Bodies over the limit are
refused with 413 before they are read to the end; a route that takes a JSON
body answers 415 when it was not sent as ``application/json``.
"""

from __future__ import annotations

import hmac
import logging

from core.api import activation, admin, admin_records, device, login, openapi, sessions, spec
from core.api.http import ApiError, Response, Router
from core.api.operations import bind
from core.api.views import error_json
from core.protocol.errors import PushSimError
from core.service import CoreService
from core.web.asgi import Receive, Scope, Send, answer_lifespan
from core.web.body import (
    BodyTooLarge,
    ClientGone,
    declared_length,
    read_body,
    require_json_media_type,
)
from core.web.dispatch import scope_request
from core.web.routing import Answer, send_response

log = logging.getLogger(__name__)


_DRAIN_LIMIT = 1024 * 1024  # oversized bodies up to this are read and discarded, then 413


def _not_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


# the modules whose ``@operation`` handlers ``bind`` looks up
HANDLER_MODULES = (login, sessions, device, activation, admin, admin_records, openapi)


def build_router(service: CoreService) -> Router:
    """The routes of ``routes.toml``, each bound to its handler."""
    router = Router()
    bind(router, service, spec.load())
    return router


class CoreApi:
    """ASGI 3 callable; ``service`` does the work, this only translates HTTP."""

    def __init__(self, service: CoreService, admin_token: str) -> None:
        self.service = service
        self.router = build_router(service)
        self._spec = spec.load()
        self._admin_token = admin_token.encode()
        self._max_body = service.settings.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await answer_lifespan(receive, send)
            return
        if scope["type"] != "http":
            return  # no websockets here
        try:
            response = await self._handle(scope, receive)
        except ClientGone:
            return
        await self._send(send, response)

    async def _handle(self, scope: Scope, receive: Receive) -> Answer:
        try:
            headers = {
                k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]
            }
            path = scope["path"]
            if not path.isprintable() or _not_utf8(path):
                raise ApiError(400, "invalid characters in the path")
            route, matched = self.router.match(scope["method"], path)
            if route.admin:
                self._check_admin(headers)
            params = self._spec.path_params(matched)
            body = await self._read_body(headers, receive)
            if route.body is not None:  # the route takes a JSON body
                require_json_media_type(headers)
            return await route.handler(scope_request(scope, body=body, params=params))
        except PushSimError as error:  # the one error family: each knows its status
            status = error.http_status if 400 <= error.http_status < 600 else 500
            return Response(status, error_json(error), error.headers)
        except ClientGone:
            raise
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            return Response(500, {"message": "internal error", "validationErrors": []})

    def _check_admin(self, headers: dict[str, str]) -> None:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            token.strip().encode(), self._admin_token
        ):
            raise ApiError(
                401,
                "admin token required (Authorization: Bearer <token>)",
                headers={"www-authenticate": "Bearer"},
            )

    async def _read_body(self, headers: dict[str, str], receive: Receive) -> bytes:
        declared = declared_length(headers)
        if declared is not None and declared > _DRAIN_LIMIT:
            raise self._too_large()  # abuse: answer now, whatever the connection does
        try:
            return await read_body(receive, limit=self._max_body, drain_limit=_DRAIN_LIMIT)
        except BodyTooLarge:
            raise self._too_large() from None

    def _too_large(self) -> ApiError:
        return ApiError(413, f"request body larger than {self._max_body} bytes")

    @staticmethod
    async def _send(send: Send, response: Answer) -> None:
        await send_response(send, response.wire())


def create_app(service: CoreService, admin_token: str) -> CoreApi:
    return CoreApi(service, admin_token)
