"""A reinstalled demo phone activated again, as its user would after a reinstall.

A reinstall wipes the app's sandbox, so the phone must be activated again: for
a demo phone the suite knows its user, and ``activate_again`` runs the same
two-step activation through the core's real API as the first start did (a new
authenticator; the old one stays in the console until it is deactivated).
A phone the activation wizard added is activated again through the wizard.
"""

from __future__ import annotations

from core.seed import DemoUser
from simulators.phone import Phone
from simulators.phone.errors import PhoneError
from simulators.suite import DEMO_PHONES, Suite


def _demo_user_of(phone: Phone) -> DemoUser | None:
    return next((demo.user for demo in DEMO_PHONES if demo.name == phone.name), None)


def can_activate_again(phone: Phone) -> bool:
    """Whether ``activate_again`` can do it (a demo phone whose app is installed)."""
    view = phone.view().app
    return _demo_user_of(phone) is not None and view.installed and not view.activated


async def activate_again(suite: Suite, phone: Phone) -> str:
    """Activate the reinstalled ``phone`` for its demo user; the new serial's summary."""
    user = _demo_user_of(phone)
    if user is None:
        raise PhoneError(
            f"{phone.name} was added by the wizard: activate it with File › New phone…"
        )
    if not phone.view().app.installed:
        raise PhoneError("install the app first")
    serial = await suite.activate_phone(phone, user)
    return f"activated again as {serial}"
