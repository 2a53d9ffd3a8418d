"""The core API's view of the shared HTTP plumbing (``core.web.routing``).

Route modules import ``ApiError, Request, Response, Router`` from here.
"""

from __future__ import annotations

from core.web.errors import ApiError
from core.web.routing import Handler, Request, Response, Route, Router

__all__ = ["ApiError", "Handler", "Request", "Response", "Route", "Router"]
