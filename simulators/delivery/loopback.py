"""The mocks' loopback TLS server; it lives in ``core.web`` with the rest of the plumbing."""

from __future__ import annotations

from core.web.asgi_server import LoopbackAsgiServer
from core.web.loopback import LOOPBACK, bind_loopback

__all__ = ["LOOPBACK", "LoopbackAsgiServer", "bind_loopback"]
