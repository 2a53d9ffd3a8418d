"""One httpx client to a loopback service, trusting the workspace CA.

The device clients of the push mocks and the login client share it: one
connection pool per client, closed by ``aclose`` or by leaving ``async with``.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Self

import httpx

from core.pki import client_ssl_context


class WorkspaceHttpClient:
    """An async context manager owning ``self._http`` (base URL ``base_url``)."""

    def __init__(self, base_url: str, ca_file: Path | str, *, timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            verify=client_ssl_context(Path(ca_file)),
            timeout=timeout,
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()
