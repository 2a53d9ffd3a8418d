"""``ProviderMock``: what the mock FCM and mock APNs share before their wire differs.

Both hold the workspace PKI and credentials, a fault plan limited to the
errors their wire format can express, and a ``DeliveryHub`` over a device
registry named after the service. Subclasses add their servers and URLs.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from core.clock import Clock
from core.events import EventBus
from core.pki import PkiMaterial
from core.provider_credentials import ProviderCredentials
from simulators.delivery.faults import FaultPlan
from simulators.delivery.hub import DeliveryHub
from simulators.delivery.registry import DeviceRegistry, Service


class ProviderMock:
    """State common to the provider mocks; ``service`` names the hub and registry."""

    def __init__(
        self,
        service: Service,
        *,
        pki: PkiMaterial,
        credentials: ProviderCredentials,
        events: EventBus,
        clock: Clock,
        allowed_errors: Iterable[str],
        faults: FaultPlan | None = None,
        control_token: str | None = None,
        registrations_file: Path | None = None,
    ) -> None:
        self.pki = pki
        self.credentials = credentials
        self.events = events
        self.clock = clock
        self.faults = faults if faults is not None else FaultPlan()
        self.faults.allowed_errors = frozenset(allowed_errors)
        self.control_token = control_token
        registry = DeviceRegistry(service, clock=clock, path=registrations_file)
        self.hub = DeliveryHub(
            service=service, events=events, clock=clock, faults=self.faults, registry=registry
        )
