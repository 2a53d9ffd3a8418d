"""``ProviderMock``: what the mock FCM and mock APNs share before their wire differs.

Both hold the workspace PKI and credentials, a fault plan limited to the
errors their wire format can express, a ``DeliveryHub`` over a device
registry named after the service, and the control API's credentials: its own
control token (random unless given) and, when given, the workspace admin
token. Subclasses add their servers and URLs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Protocol

from core.clock import Clock
from core.events import EventBus
from core.pki import PkiMaterial
from core.provider_credentials import ProviderCredentials
from core.web.asgi_server import LoopbackAsgiServer
from simulators.delivery.access import ControlAccess, new_secret
from simulators.delivery.event_details import ServiceStarted
from simulators.delivery.event_kinds import MockEvent
from simulators.delivery.faults import FaultKind, FaultPlan
from simulators.delivery.hub import DeliveryHub
from simulators.delivery.registry import DeviceRegistry, Service
from simulators.delivery.routes import CONTROL_PREFIX, DEVICE_PREFIX


class _Server(Protocol):
    port: int | None

    async def stop(self) -> None: ...


class ProviderMock:
    """State common to the provider mocks; subclasses build their servers in ``_build``."""

    service_name: ClassVar[Service]
    label: ClassVar[str]  # "FCM", "APNs": how events name the mock
    allowed_errors: ClassVar[frozenset[str]]
    _device_server: LoopbackAsgiServer  # serves the device and control API; set by _build

    def __init__(
        self,
        *,
        pki: PkiMaterial,
        credentials: ProviderCredentials,
        events: EventBus,
        clock: Clock,
        faults: FaultPlan | None = None,
        control_token: str | None = None,
        admin_token: str | None = None,
        registrations_file: Path | None = None,
    ) -> None:
        self.pki = pki
        self.credentials = credentials
        self.events = events
        self.clock = clock
        self.faults = faults if faults is not None else FaultPlan()
        self.faults.allowed_errors = self.allowed_errors
        self.control_token = control_token or new_secret()
        self.control_access = ControlAccess(self.service_name, (self.control_token, admin_token))
        registry = DeviceRegistry(self.service_name, clock=clock, path=registrations_file)
        self.hub = DeliveryHub(
            service=self.service_name,
            events=events,
            clock=clock,
            faults=self.faults,
            registry=registry,
        )
        self._build()

    def _build(self) -> None:
        """Create the servers; runs at the end of ``__init__``."""
        raise NotImplementedError

    @property
    def running(self) -> bool:
        raise NotImplementedError

    @property
    def url(self) -> str:
        raise NotImplementedError

    @property
    def device_url(self) -> str:
        """Base URL of the device API and the control API (for the device clients)."""
        return self._device_server.url

    @property
    def control_url(self) -> str:
        return self.device_url + CONTROL_PREFIX

    def _describe_device_side(self) -> dict[str, Any]:
        """The end of ``describe()``: the device and control endpoints, faults and errors."""
        running = self.running
        return {
            "device_url": self.device_url if running else None,
            "device_endpoint": self.device_url + DEVICE_PREFIX if running else None,
            "control_endpoint": self.control_url if running else None,
            "control_token_required": True,
            "fault_kinds": [kind.value for kind in FaultKind],
            "errors": sorted(self.allowed_errors),
        }

    def _announce_started(self) -> None:
        self.hub.emit(
            MockEvent.STARTED,
            f"mock {self.label} listening on {self.url}",
            details=ServiceStarted(url=self.url),
        )

    async def _stop_servers(self, *servers: _Server) -> None:
        """Close the device streams, stop each server, forget its port, say so."""
        if not self.running:
            return
        self.hub.close()
        for server in servers:
            await server.stop()
            server.port = None
        self.hub.emit(MockEvent.STOPPED, f"mock {self.label} stopped")
