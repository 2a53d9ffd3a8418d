"""CoreServer: the validation core's HTTPS server on a free loopback port.

Composition: ``CoreServer(workspace=..., pki=..., events=..., clock=...,
endpoints=..., settings=...)`` opens the workspace database (migrating it),
builds the ``CoreService`` and the ASGI app, and serves it with hypercorn over
TLS. The socket is bound and listening before hypercorn runs (``fd://N``), so
``.url`` is known at once and early connections wait in the backlog;
``shutdown_trigger`` is always passed, so hypercorn never installs signal
handlers on the caller's loop (which may be Qt's).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, cast

from hypercorn.asyncio import serve
from hypercorn.typing import Framework

from core.api.app import CoreApi
from core.clock import Clock
from core.events import EventBus
from core.pki import PkiMaterial, server_ssl_context
from core.push.clients import ClientFactory, default_client_factory
from core.push.dispatcher import PushDispatcher
from core.push.endpoints import ProviderEndpoints
from core.service import CoreService
from core.settings import CoreSettings
from core.storage import Database
from core.web.loopback import LOOPBACK, TlsConfig, bind_loopback
from core.workspace import Workspace

__all__ = ["CoreServer", "ProviderEndpoints"]

log = logging.getLogger(__name__)


def _report_crash(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("validation core HTTPS server ended", exc_info=task.exception())


class CoreServer:
    def __init__(
        self,
        *,
        workspace: Workspace,
        pki: PkiMaterial,
        events: EventBus,
        clock: Clock,
        endpoints: ProviderEndpoints,
        settings: CoreSettings | None = None,
        client_factory: ClientFactory = default_client_factory,
    ) -> None:
        self.workspace = workspace
        self.pki = pki
        self.events = events
        self.clock = clock
        self.endpoints = endpoints
        self.settings = settings or CoreSettings()
        self._client_factory = client_factory
        self._service: CoreService | None = None
        self._db: Database | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping: asyncio.Event | None = None
        self._port: int | None = None

    @property
    def service(self) -> CoreService:
        if self._service is None:
            raise RuntimeError("CoreServer not started")
        return self._service

    @property
    def url(self) -> str:
        if self._port is None:
            raise RuntimeError("CoreServer not started")
        return f"https://{LOOPBACK}:{self._port}"

    async def open_service(self) -> CoreService:
        """Database and service without HTTP (start() calls it; the seed may call it first)."""
        if self._service is None:
            self._db = await Database.open(
                self.workspace.core_db, synchronous=self.settings.sqlite_synchronous
            )
            self._service = CoreService(
                db=self._db,
                settings=self.settings,
                clock=self.clock,
                events=self.events,
                dispatcher=PushDispatcher(
                    endpoints=self.endpoints,
                    clock=self.clock,
                    settings=self.settings,
                    client_factory=self._client_factory,
                ),
            )
        return self._service

    async def start(self) -> None:
        if self._task is not None:
            return
        service = await self.open_service()
        service.start_background()
        app = CoreApi(service, self.workspace.admin_token())
        config = TlsConfig(server_ssl_context(self.pki))
        # hypercorn only turns TLS on when both are set; our context replaces its own
        config.certfile = str(self.pki.server_cert_file)
        config.keyfile = str(self.pki.server_key_file)
        config.accesslog = None
        config.errorlog = logging.getLogger("core.server.hypercorn")  # follows app logging
        config.graceful_timeout = 2.0
        sock = bind_loopback(backlog=128)
        self._port = int(sock.getsockname()[1])
        config.bind = [f"fd://{sock.detach()}"]  # hypercorn owns (and closes) the fd now
        self._stopping = asyncio.Event()
        self._task = asyncio.create_task(
            serve(
                cast(Framework, app),
                config,
                shutdown_trigger=self._stopping.wait,
                mode="asgi",
            ),
            name="core https",
        )
        self._task.add_done_callback(_report_crash)
        self.events.emit("core.started", "core", summary=f"validation core on {self.url}")
        log.info("validation core listening on %s", self.url)

    async def stop(self) -> None:
        if self._service is not None:
            await self._service.close()  # releases long polls so shutdown is prompt
        if self._task is not None and self._stopping is not None:
            self._stopping.set()
            try:
                await asyncio.wait_for(self._task, timeout=10)
            except TimeoutError:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
            self._task = None
        if self._db is not None:
            await self._db.close()
            self._db = None
        self._service = None
        self.events.emit("core.stopped", "core", summary="validation core stopped")

    def describe(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "admin_token": self.workspace.admin_token(),
            "ca_file": str(self.pki.ca_file),
            "database": str(self.workspace.core_db),
            "openapi": f"{self.url}/openapi.json",
            "providers": self.endpoints.describe(),
        }
