"""``MockInputError``: a control or device request the mocks refuse with 400.

A ``PushSimError`` (the one error family) and still a ``ValueError`` for
callers that catch that.
"""

from __future__ import annotations

from core.protocol.errors import PushSimError


class MockInputError(PushSimError, ValueError):
    http_status = 400
