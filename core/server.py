"""CoreServer: the validation core's HTTPS server on a free loopback port.

Composition: ``CoreServer(workspace=..., pki=..., events=..., clock=...,
endpoints=..., settings=...)`` opens the workspace database (migrating it),
builds the ``CoreService`` and the ASGI app, and serves it over TLS with the
shared ``core.web.asgi_server.LoopbackAsgiServer`` (the mocks' server too). The
socket is bound and listening before hypercorn runs (``fd://N``), so ``.url``
is known at once and early connections wait in the backlog; no signal handlers
are installed on the caller's loop (which may be Qt's). The core's options:
hypercorn's own stream and keep-alive limits, a 2 s graceful close, a 10 s
stop before the task is cancelled, and a logged error if serving crashes.
"""

from __future__ import annotations

import logging
from typing import Any

from core.api.app import CoreApi
from core.clock import Clock
from core.event_kinds import CoreEvent
from core.events import EventBus
from core.pki import PkiMaterial, server_ssl_context
from core.push.clients import ClientFactory, default_client_factory
from core.push.dispatcher import PushDispatcher
from core.push.endpoints import ProviderEndpoints
from core.service import CoreService
from core.settings import CoreSettings
from core.step_gate import NO_GATE, Gate
from core.storage import Database
from core.web.asgi_server import LoopbackAsgiServer, ServerOptions
from core.workspace import Workspace

__all__ = ["CoreServer", "ProviderEndpoints"]

log = logging.getLogger(__name__)


CORE_SERVER_OPTIONS = ServerOptions(
    max_concurrent_streams=100,  # hypercorn's defaults
    keep_alive_max_requests=1000,
    backlog=128,
    graceful_timeout=2.0,
    stop_timeout=10.0,
    errorlog="core.server.hypercorn",  # follows app logging
    crash_message="validation core HTTPS server ended",
)


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
        gate: Gate = NO_GATE,
    ) -> None:
        self.workspace = workspace
        self.gate = gate
        self.pki = pki
        self.events = events
        self.clock = clock
        self.endpoints = endpoints
        self.settings = settings or CoreSettings()
        self._client_factory = client_factory
        self._service: CoreService | None = None
        self._db: Database | None = None
        self._http: LoopbackAsgiServer | None = None

    @property
    def service(self) -> CoreService:
        if self._service is None:
            raise RuntimeError("CoreServer not started")
        return self._service

    @property
    def url(self) -> str:
        if self._http is None or self._http.port is None:
            raise RuntimeError("CoreServer not started")
        return self._http.url

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
                gate=self.gate,
            )
        return self._service

    async def start(self) -> None:
        if self._http is not None and self._http.running:
            return
        service = await self.open_service()
        service.start_background()
        app = CoreApi(service, self.workspace.admin_token())
        self._http = LoopbackAsgiServer(
            app, server_ssl_context(self.pki), name="core https", options=CORE_SERVER_OPTIONS
        )
        await self._http.start()
        self.events.emit(CoreEvent.CORE_STARTED, "core", summary=f"validation core on {self.url}")
        log.info("validation core listening on %s", self.url)

    async def stop(self) -> None:
        if self._service is not None:
            await self._service.close()  # releases long polls so shutdown is prompt
        if self._http is not None:
            await self._http.stop()  # ``url`` stays readable after a stop, as before
        if self._db is not None:
            await self._db.close()
            self._db = None
        self._service = None
        self.events.emit(CoreEvent.CORE_STOPPED, "core", summary="validation core stopped")

    def describe(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "admin_token": self.workspace.admin_token(),
            "ca_file": str(self.pki.ca_file),
            "database": str(self.workspace.core_db),
            "openapi": f"{self.url}/openapi.json",
            "providers": self.endpoints.describe(),
            "password_hash_log2_n": self.settings.password_hash_log2_n,
        }
