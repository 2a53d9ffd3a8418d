"""File › Reset to demo data: the demo as on a first start, without restarting anything.

The servers, ports, workspace material and phones keep running; what a demo
can leave behind is put back: the mocks' faults removed, the core's data
emptied and re-seeded (domain ``demo``, the two push apps, alice and bob with
no failed attempts, lock or cool-down; no sessions, activations or audit
events), and each demo phone set back to its factory settings (online,
notifications allowed, no clock offset, untampered, its demo finger enrolled
and not locked out), its app reinstalled, activated again through the core's
real API and registered for push. The phones work side by side, as at start.
Phones the activation wizard added are stopped and forgotten.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from core.seed import reset_demo as reset_core
from simulators.extra_phones import drop_extra_phones
from simulators.phone.event_details import SuiteReset
from simulators.phone.event_kinds import SuiteEvent
from simulators.phone.settings import PhoneSettings

if TYPE_CHECKING:
    from simulators.phone import Phone
    from simulators.suite import DemoPhone, Suite


async def reset_demo(suite: Suite) -> float:
    """Restore the demo on the running suite; returns the seconds it took."""
    from simulators.suite import DEMO_PHONES

    began = time.perf_counter()
    suite.gate.set_enabled(False)  # nothing may stay held across the reset
    for mock in (suite.fcm, suite.apns):
        mock.faults.clear()
    await drop_extra_phones(suite)  # the activation wizard's phones: their users go too
    await reset_core(suite.core.service, suite.credentials)
    async with asyncio.TaskGroup() as phones:
        for demo in DEMO_PHONES:
            phone = suite.phones.get(demo.name)
            if phone is not None:
                phones.create_task(_restore_phone(suite, phone, demo))
    seconds = time.perf_counter() - began
    suite.events.emit(
        SuiteEvent.RESET,
        "suite",
        summary=f"demo data restored in {seconds:.2f} s",
        details=SuiteReset(seconds=seconds),
    )
    return seconds


async def _restore_phone(suite: Suite, phone: Phone, demo: DemoPhone) -> None:
    factory = PhoneSettings()
    if phone.settings.airplane_mode:
        phone.set_airplane_mode(False)
    if phone.settings.notifications_denied:
        phone.set_notifications_denied(False)
    if phone.settings.clock_offset != factory.clock_offset:
        phone.set_clock_offset(factory.clock_offset)
    if phone.settings.ignore_required_protection:
        phone.set_ignore_required_protection(False)
    for finger in phone.sensor.enrolled:
        if finger not in demo.fingers:
            phone.remove_finger(finger)
    for finger in demo.fingers:
        phone.enroll_finger(finger)
    phone.sensor.reset_lockout()
    await phone.install_app()  # a fresh sandbox: the old activation is gone from the core
    await suite.activate_phone(phone, demo.user)
