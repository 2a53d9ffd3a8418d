"""``ApnsMock``: the mock APNs on two free loopback ports.

- the provider port speaks HTTP/2 over TLS (``h2_server``): ``POST
  /3/device/{token}`` with token or certificate auth (the TLS layer requests a
  client certificate from the workspace CA but does not require one);
- the device/control port is a small hypercorn ASGI app with the device API
  (register, delivery stream, uninstall) and the control API (faults).
"""

from __future__ import annotations

from typing import Any

from core.pki import server_ssl_context
from core.web.asgi_server import LoopbackAsgiServer
from core.web.loopback import LOOPBACK
from simulators.apns.auth import ProviderTokenVerifier
from simulators.apns.h2_server import ApnsH2Server
from simulators.apns.handler import ApnsService
from simulators.apns.reasons import APNS_REASONS
from simulators.delivery.asgi import RoutedApp, Router
from simulators.delivery.provider_mock import ProviderMock
from simulators.delivery.routes import control_routes, device_routes


class ApnsMock(ProviderMock):
    service_name = "apns"
    label = "APNs"
    allowed_errors = frozenset(APNS_REASONS)

    def _build(self) -> None:
        self.service = ApnsService(
            hub=self.hub,
            verifier=ProviderTokenVerifier(credentials=self.credentials, clock=self.clock),
            clock=self.clock,
        )
        self._h2 = ApnsH2Server(
            self.service.handle,
            server_ssl_context(self.pki, alpn=("h2",), client_ca=self.pki.ca_file),
        )
        router = Router()
        router.include(device_routes(self.hub))
        router.include(control_routes(self.hub, describe=self.describe, access=self.control_access))
        self._device_server = LoopbackAsgiServer(
            RoutedApp(router), server_ssl_context(self.pki), name="apns-device"
        )

    @property
    def running(self) -> bool:
        return self._h2.port is not None

    @property
    def url(self) -> str:
        """The provider endpoint (HTTP/2): ``{url}/3/device/{token}``."""
        if self._h2.port is None:
            raise RuntimeError("mock APNs is not running")
        return f"https://{LOOPBACK}:{self._h2.port}"

    @property
    def port(self) -> int:
        if self._h2.port is None:
            raise RuntimeError("mock APNs is not running")
        return self._h2.port

    async def start(self) -> None:
        await self._h2.start()
        try:
            await self._device_server.start()
        except BaseException:
            await self._h2.stop()
            raise
        self._announce_started()

    async def stop(self) -> None:
        await self._stop_servers(self._h2, self._device_server)

    def describe(self) -> dict[str, Any]:
        running = self.running
        creds = self.credentials
        return {
            "service": "apns",
            "url": self.url if running else None,
            "port": self._h2.port,
            "ca_file": str(self.pki.ca_file),
            "key_file": str(creds.apns_key_file),
            "key_id": creds.apns_key_id,
            "team_id": creds.apns_team_id,
            "topic": creds.apns_bundle_id,
            "client_cert_file": str(creds.apns_client_cert_file),
            "client_key_file": str(creds.apns_client_key_file),
            "client_bundle_file": str(creds.apns_client_bundle_file),
            **self._describe_device_side(),
        }
