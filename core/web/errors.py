"""``ApiError``: an HTTP error answer raised by the plumbing or an input check.

Part of the one error family (``PushSimError``): the status is given per
instance because routing and input errors span 400, 404, 405 and 413.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from core.protocol.errors import PushSimError


class ApiError(PushSimError):
    """An HTTP error with its status chosen by the raiser."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        validation_errors: Sequence[Mapping[str, str]] = (),
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message, validation_errors=validation_errors, extra=extra, headers=headers)
        self.http_status = status

    @property
    def status(self) -> int:
        return self.http_status
