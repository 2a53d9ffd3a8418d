"""Losing and regaining a push registration: "push unregistered", then register again.

When a provider calls the token dead (FCM ``UNREGISTERED``, APNs
``BadDeviceToken`` / ``Unregistered``) the core marks the authenticator
``push-unregistered``. The phone then forgets the token and shows "push
unregistered"; like a real app it registers again — a new token from the push
service, then the core's notification registration — when it next starts or
comes online (``DeliveryLink`` catch-up), or at once on ``reregister``.

``follow_core_push_status`` is the suite's wire from the core's
``authenticator.status`` events to the phone holding that serial: it stands for
the provider's SDK telling the app that its token is no longer valid.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Protocol

from core.event_kinds import CoreEvent
from core.events import Event, EventBus
from simulators.phone.authenticator_app import AuthenticatorApp
from simulators.phone.connectivity import DeliveryLink

PUSH_UNREGISTERED = "push-unregistered"  # the core's authenticator status


class Phone(Protocol):
    """The phone whose app registers (``simulators.phone.phone.Phone``)."""

    app: AuthenticatorApp
    link: DeliveryLink

    async def register_push(self) -> str: ...


async def reregister(phone: Phone) -> str:
    """A new token from the push service, then the core; the old one is unregistered."""
    old = phone.app.state.push_token
    if old is not None:
        phone.app.push_token_revoked(old, "push token given up: registering again")
        phone.link.forget(old)
    token = await phone.register_push()
    phone.link.sync(catch_up=True)  # unregisters the old token with the service
    return token


def unregistered_by_core(phone: Phone) -> None:
    """The core gave up on the token: forget it, show it, register again later."""
    token = phone.app.state.push_token
    if token is None or not phone.app.state.activated:
        return
    phone.app.push_token_revoked(token, "the core marked this phone's push token unregistered")
    phone.link.forget(token)
    phone.link.sync(catch_up=False)


def follow_core_push_status(
    events: EventBus, phones: Callable[[], Mapping[str, Phone]]
) -> Callable[[], None]:
    """Tell the phone holding a serial when the core marks it push-unregistered."""

    def seen(event: Event) -> None:
        if event.kind != CoreEvent.AUTHENTICATOR_STATUS:
            return
        if event.details.get("status") != PUSH_UNREGISTERED:
            return
        serial = event.details.get("serial")
        for phone in list(phones().values()):
            if phone.app.serial == serial:
                # not inside the publisher's call: the phone emits events of its own
                asyncio.get_running_loop().call_soon(unregistered_by_core, phone)

    return events.subscribe(seen)
