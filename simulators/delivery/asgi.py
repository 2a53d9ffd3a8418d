"""The mocks' names for the shared HTTP plumbing (``core.web``); no router of their own.

Routes live in ``core.web.routing.Router`` and are served by
``core.web.dispatch.RoutedApp``. ``HttpRequest`` is the core API's ``Request``
(strict ``json()``); ``HttpResponse`` is ``WireResponse``, an answer as bytes.
"""

from __future__ import annotations

from core.web.asgi import ASGIApp, Receive, Scope, Send
from core.web.body import BodyTooLarge, ClientGone
from core.web.dispatch import RoutedApp
from core.web.routing import Request, Router, WireResponse, send_response, with_params

__all__ = [
    "ASGIApp",
    "BodyTooLarge",
    "ClientGone",
    "HttpRequest",
    "HttpResponse",
    "Receive",
    "RoutedApp",
    "Router",
    "Scope",
    "Send",
    "send_response",
    "with_params",
]

HttpRequest = Request
HttpResponse = WireResponse
