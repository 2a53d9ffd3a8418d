"""Installing and uninstalling the authenticator app on a phone (its sandbox, its token)."""

from __future__ import annotations

from typing import Any, Protocol

from core.events import Event
from simulators.phone import event_details
from simulators.phone.authenticator_app import AuthenticatorApp
from simulators.phone.connectivity import DeliveryLink
from simulators.phone.errors import AppNotInstalled
from simulators.phone.event_kinds import PhoneEvent
from simulators.phone.push_delivery import PushDelivery
from simulators.phone.views import PhoneView


class Phone(Protocol):
    """The phone the app is installed on (``simulators.phone.phone.Phone``)."""

    app: AuthenticatorApp
    link: DeliveryLink

    def delivery(self) -> PushDelivery: ...

    def emit(self, kind: str, summary: str, **fields: Any) -> Event: ...

    def view(self) -> PhoneView: ...


async def uninstall(phone: Phone) -> None:
    """Uninstall: the sandbox is wiped and the push token unregistered."""
    if not phone.app.state.installed:
        raise AppNotInstalled()
    token = phone.app.state.push_token
    phone.app.wipe(installed=False)
    phone.link.sync(catch_up=False)
    unregistered = False
    if token is not None:
        try:
            await phone.delivery().unregister(token)
            unregistered = True
        except Exception:  # offline or the service is down: do it when we can
            phone.link.forget(token)
    phone.emit(
        PhoneEvent.APP_UNINSTALLED,
        "app uninstalled",
        details=event_details.AppUninstalled(token=token, token_unregistered=unregistered),
    )


async def install(phone: Phone) -> None:
    """A fresh install (reinstall after ``uninstall_app``): it must be activated again."""
    if phone.app.state.installed:
        await uninstall(phone)
    phone.app.wipe(installed=True)
    shown = event_details.PhoneShown(view=phone.view())
    phone.emit(PhoneEvent.APP_INSTALLED, "app installed — not activated", details=shown)
