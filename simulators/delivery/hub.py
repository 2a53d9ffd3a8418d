"""The device side of one mock service: who is online, what waits for whom.

The provider half of a mock (FCM HTTP v1, APNs HTTP/2) validates a send and
hands the accepted ``Notification`` to the hub. The hub delivers it at once to
a device that holds a stream and is not faulted offline, stores it by the
provider's rules otherwise, and delivers what is stored (and still valid) when
the device comes back. Every step is published as an event (``<service>.<kind>``,
step 3 of the push login) with the raw request body, so the flow view can show
it; tokens are identifiers and appear in ``details``, credentials never do.
"""

from __future__ import annotations

import asyncio
from typing import Any, Unpack

from core.clock import Clock
from core.events import NO_DETAILS, Event, EventBus, EventDetails, check_details
from simulators.delivery.access import new_secret, secret_digest, secret_matches
from simulators.delivery.event_details import (
    DETAILS_FOR,
    DeviceConnection,
    DeviceRegistered,
    FaultChanged,
    NotificationEvent,
    Outcome,
)
from simulators.delivery.event_kinds import MockEvent, fault_change_event
from simulators.delivery.faults import FaultChange, FaultKind, FaultPlan
from simulators.delivery.registry import (
    DeviceRegistry,
    IssuedRegistration,
    Registration,
    Service,
)
from simulators.delivery.store import Notification, OfflineStore
from simulators.delivery.wire import StreamEnd

PUSH_STEP = 3

StreamItem = Notification | StreamEnd


class DeviceStream:
    """One open delivery connection of one device."""

    def __init__(self, token: str) -> None:
        self.token = token
        self._queue: asyncio.Queue[StreamItem] = asyncio.Queue()
        self.closed = False

    def push(self, item: StreamItem) -> None:
        if not self.closed:
            self._queue.put_nowait(item)
            if isinstance(item, StreamEnd):
                self.closed = True

    async def next(self) -> StreamItem:
        return await self._queue.get()


class DeviceUnknown(LookupError):
    pass


class DeviceSecretRefused(PermissionError):
    """The stream request did not prove the token's registration secret."""

    def __init__(self, *, missing: bool) -> None:
        super().__init__("registration secret required" if missing else "wrong registration secret")
        self.missing = missing


class DeviceUnregistered(LookupError):
    def __init__(self, registration: Registration) -> None:
        super().__init__(f"token unregistered at {registration.unregistered_at}")
        self.registration = registration


class DeliveryHub:
    def __init__(
        self,
        *,
        service: Service,
        events: EventBus,
        clock: Clock,
        faults: FaultPlan,
        registry: DeviceRegistry | None = None,
    ) -> None:
        self.service: Service = service
        self.events = events
        self.clock = clock
        self.faults = faults
        self.registry = registry or DeviceRegistry(service, clock=clock)
        self.store = OfflineStore(service)
        self._streams: dict[str, DeviceStream] = {}
        faults.subscribe(self._on_fault_change)

    # -- events ---------------------------------------------------------------
    def emit(
        self,
        kind: MockEvent,
        summary: str,
        *,
        raw: str | None = None,
        request_id: str | None = None,
        target: str = "",
        details: EventDetails = NO_DETAILS,
    ) -> Event:
        check_details(DETAILS_FOR, kind, details)
        return self.events.emit(
            f"{self.service}.{kind}",
            self.service,
            target=target,
            summary=summary,
            request_id=request_id,
            step=PUSH_STEP,
            raw=raw,
            details=details,
            time=self.clock.now(),
        )

    def _emit_notification(
        self, kind: MockEvent, summary: str, n: Notification, **extra: Unpack[Outcome]
    ) -> None:
        details = NotificationEvent(
            token=n.token, message_id=n.message_id, notice=n.details, **extra
        )
        self.emit(
            kind, summary, raw=n.raw, request_id=n.request_id, target="device", details=details
        )

    # -- registration -----------------------------------------------------------
    def register_fcm(self, *, project_id: str, app_id: str) -> IssuedRegistration:
        secret = new_secret()
        registration = self.registry.register_fcm(
            project_id=project_id, app_id=app_id, secret_digest=secret_digest(secret)
        )
        return self._issued(registration, secret)

    def register_apns(self, *, bundle_id: str, environment: str = "sandbox") -> IssuedRegistration:
        secret = new_secret()
        registration = self.registry.register_apns(
            bundle_id=bundle_id, environment=environment, secret_digest=secret_digest(secret)
        )
        return self._issued(registration, secret)

    def _issued(self, registration: Registration, secret: str) -> IssuedRegistration:
        self.emit(
            MockEvent.DEVICE_REGISTERED,
            f"device registered for {registration.app_id}",
            target="device",
            details=DeviceRegistered(registration=registration),
        )
        return IssuedRegistration(registration, secret)

    def uninstall(self, token: str) -> Registration | None:
        """The app was uninstalled: the token is unregistered from now on."""
        registration = self.registry.unregister(token)
        if registration is None:
            return None
        discarded = self.store.discard(token)
        stream = self._streams.pop(token, None)
        if stream is not None:
            stream.push(StreamEnd(reason="unregistered", at=registration.unregistered_at))
        self.emit(
            MockEvent.DEVICE_UNREGISTERED,
            f"app {registration.app_id} uninstalled; token unregistered",
            target="device",
            details=DeviceRegistered(registration=registration, discarded=len(discarded)),
        )
        return registration

    # -- connections --------------------------------------------------------------
    def connect(self, token: str, secret: str | None) -> DeviceStream:
        """Open a delivery stream (going online); stored notifications follow at once.

        ``secret`` must be the token's registration secret, for a first stream
        and for one that replaces a stream already open.
        """
        registration = self.registry.get(token)
        if registration is None:
            raise DeviceUnknown(token)
        if not secret:
            raise DeviceSecretRefused(missing=True)
        if not secret_matches(secret, registration.secret_digest):
            raise DeviceSecretRefused(missing=False)
        if not registration.active:
            raise DeviceUnregistered(registration)
        previous = self._streams.pop(token, None)
        if previous is not None:
            previous.push(StreamEnd(reason="replaced", at=self.clock.now()))
        stream = DeviceStream(token)
        self._streams[token] = stream
        self.emit(
            MockEvent.DEVICE_ONLINE,
            "device connected",
            target="device",
            details=DeviceConnection(token=token),
        )
        self._flush(token)
        return stream

    def disconnect(self, stream: DeviceStream) -> None:
        if self._streams.get(stream.token) is stream:
            del self._streams[stream.token]
            self.emit(
                MockEvent.DEVICE_OFFLINE,
                "device disconnected",
                target="device",
                details=DeviceConnection(token=stream.token),
            )
        stream.closed = True

    def is_connected(self, token: str) -> bool:
        return token in self._streams

    def is_online(self, token: str) -> bool:
        return token in self._streams and not self.faults.is_offline(token)

    def _flush(self, token: str) -> None:
        if not self.is_online(token):
            return
        live, expired = self.store.take(token, now=self.clock.now())
        for notification in expired:
            self._emit_notification(
                MockEvent.EXPIRED,
                "stored notification expired before the device came back",
                notification,
            )
        for notification in live:
            self._deliver(notification, stored=True)

    def _deliver(self, notification: Notification, *, stored: bool) -> None:
        self._streams[notification.token].push(notification)
        summary = "delivered from store on reconnect" if stored else "delivered"
        self._emit_notification(MockEvent.DELIVERED, summary, notification, from_store=stored)

    # -- the provider hands over accepted sends ----------------------------------------
    def accept(self, notification: Notification, *, dropped_by: str | None = None) -> str:
        """Deliver, store or drop an accepted notification; returns what happened."""
        if dropped_by is not None:
            self._emit_notification(
                MockEvent.DROPPED,
                "accepted but never delivered (fault)",
                notification,
                fault=dropped_by,
            )
            return "dropped"
        if self.is_online(notification.token):
            self._deliver(notification, stored=False)
            return "delivered"
        result = self.store.put(notification, now=self.clock.now())
        for old in result.replaced:
            self._emit_notification(
                MockEvent.SUPERSEDED, "stored notification replaced by a newer one", old
            )
        if result.stored:
            self._emit_notification(MockEvent.STORED, "device offline: stored", notification)
            return "stored"
        self._emit_notification(
            MockEvent.DISCARDED, f"device offline and not storable ({result.reason})", notification
        )
        return "discarded"

    # -- faults and lifecycle -------------------------------------------------------
    def _on_fault_change(self, change: FaultChange) -> None:
        fault = change.fault
        if fault.kind is FaultKind.UNINSTALL and fault.token is not None:
            self.uninstall(fault.token)
            return
        self.emit(
            fault_change_event(change.action),
            f"fault {fault.kind.value} {change.action}",
            details=FaultChanged(fault=fault),
        )
        if fault.kind is FaultKind.OFFLINE and change.action == "removed":
            for token in list(self._streams):
                self._flush(token)

    def device_state(self, token: str) -> dict[str, Any] | None:
        registration = self.registry.get(token)
        if registration is None:
            return None
        return {
            **registration.to_dict(),
            "connected": self.is_connected(token),
            "online": self.is_online(token),
            "stored": self.store.count(token),
        }

    def devices(self) -> list[dict[str, Any]]:
        states = (self.device_state(r.token) for r in self.registry.all())
        return [state for state in states if state is not None]

    def close(self) -> None:
        """End every stream (the mock is stopping)."""
        for stream in list(self._streams.values()):
            stream.push(StreamEnd(reason="shutdown", at=self.clock.now()))
        self._streams.clear()
