"""Loopback-only listening sockets and a hypercorn config serving our TLS context.

Every server in PushSim binds 127.0.0.1 on a free port itself: hypercorn does
not report the port it picked, so we bind, listen, and hand it ``fd://N``.
"""

from __future__ import annotations

import socket
import ssl

from hypercorn.config import Config

LOOPBACK = "127.0.0.1"


def bind_loopback(backlog: int = 1024) -> socket.socket:
    """A listening, non-blocking TCP socket on 127.0.0.1 and a free port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((LOOPBACK, 0))
        sock.listen(backlog)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


class TlsConfig(Config):
    """Hypercorn configuration that serves TLS with a context we built.

    ``ssl_enabled`` is forced on: hypercorn otherwise only enables TLS when
    cert and key files are set, and our context already holds them.
    ``connection_gauge`` (when set) caps the server's open connections
    (``hypercorn_fixes.CappedTcpServer``).
    """

    def __init__(self, context: ssl.SSLContext) -> None:
        super().__init__()
        self._context = context
        self.connection_gauge: object | None = None

    @property
    def ssl_enabled(self) -> bool:
        return True

    def create_ssl_context(self) -> ssl.SSLContext:
        return self._context
