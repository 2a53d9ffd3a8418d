"""Phones added at runtime (the activation wizard), kept in the workspace.

The demo phones are fixed (``simulators.suite.DEMO_PHONES``); a tester adds
more with the wizard (``simulators/activation_portal``). Each finished one is
listed in ``extra-phones.json`` in the workspace; the suite starts them again
on the next start, after the demo phones, with their own storage (keys, PIN,
push token), so they come back activated. A listed phone whose activation the
core no longer knows (its user was deleted, the data reset) is dropped from
the list rather than left half-working.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from core.service.errors import NotFound
from core.storage.records import AUTH_ACTIVE, AUTH_PUSH_UNREGISTERED
from core.workspace import Workspace, write_public
from simulators.phone.identity import AppInfo, AppKind, Platform

if TYPE_CHECKING:
    from simulators.phone import Phone
    from simulators.suite import Suite

log = logging.getLogger(__name__)
EXTRA_PHONES_FILE = "extra-phones.json"


@dataclass(frozen=True, kw_only=True)
class ExtraPhone:
    """A phone the wizard added: what it takes to start it again."""

    name: str
    platform: str  # android | ios
    app_kind: str  # authenticator | sdk
    user_id: str
    domain: str
    fingers: tuple[str, ...] = ()
    serial: str = ""  # the authenticator, once activated

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ExtraPhone:
        texts = {
            key: str(data[key]) for key in ("name", "platform", "app_kind", "user_id", "domain")
        }
        fingers = tuple(str(f) for f in data.get("fingers", ()))
        return cls(**texts, fingers=fingers, serial=str(data.get("serial", "")))

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "fingers": list(self.fingers)}


def load_extra_phones(workspace: Workspace) -> list[ExtraPhone]:
    path = workspace.root / EXTRA_PHONES_FILE
    try:
        listed = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:  # a broken list must not stop the suite
        log.warning("ignoring %s: %s", path, exc)
        return []
    phones: list[ExtraPhone] = []
    for entry in listed if isinstance(listed, list) else []:
        try:
            phones.append(ExtraPhone.from_dict(entry))
        except (KeyError, TypeError) as exc:
            log.warning("ignoring an entry of %s: %s", path, exc)
    return phones


def save_extra_phones(workspace: Workspace, phones: list[ExtraPhone]) -> None:
    data = json.dumps([phone.to_dict() for phone in phones], indent=2) + "\n"
    write_public(workspace.root / EXTRA_PHONES_FILE, data.encode("utf-8"))


def remember_extra_phone(workspace: Workspace, phone: ExtraPhone) -> None:
    """List ``phone`` (activated) so the next start brings it back."""
    others = [p for p in load_extra_phones(workspace) if p.name != phone.name]
    save_extra_phones(workspace, [*others, phone])


def forget_extra_phone(workspace: Workspace, name: str) -> None:
    listed = load_extra_phones(workspace)
    kept = [p for p in listed if p.name != name]
    if len(kept) != len(listed):
        save_extra_phones(workspace, kept)


async def start_extra_phone(suite: Suite, extra: ExtraPhone) -> Phone:
    """Build and start the phone on the running suite (activated or not, as its storage says)."""
    platform = Platform(extra.platform)
    app = AppInfo.demo(platform, AppKind(extra.app_kind))
    return await suite.add_phone(extra.name, platform, fingers=extra.fingers, app=app)


async def discard_extra_phone(suite: Suite, name: str) -> None:
    """Stop the phone and take it off the suite and the list."""
    phone = suite.phones.pop(name, None)
    if phone is not None:
        await suite.set_auto_responder(phone, None)
        await phone.stop()
    forget_extra_phone(suite.workspace, name)


async def restart_extra_phones(suite: Suite) -> list[Phone]:
    """On suite start: the listed phones again, those the core still knows as activated."""
    started: list[Phone] = []
    for extra in load_extra_phones(suite.workspace):
        if extra.name in suite.phones:  # a demo phone's name: never replace it
            continue
        if await _usable_at_core(suite, extra.serial):
            phone = await start_extra_phone(suite, extra)
            if await suite.phone_matches_core(phone):
                started.append(phone)
                continue
        log.warning("extra phone %s is no longer activated at the core: dropped", extra.name)
        await discard_extra_phone(suite, extra.name)
    return started


async def _usable_at_core(suite: Suite, serial: str) -> bool:
    try:
        record = await suite.core.service.directory.get_authenticator(serial)
    except NotFound:
        return False
    return record.status in (AUTH_ACTIVE, AUTH_PUSH_UNREGISTERED)


async def drop_extra_phones(suite: Suite) -> list[str]:
    """Reset to demo data: every phone beyond the demo's stopped and unlisted; their names."""
    from simulators.suite import DEMO_PHONES

    demo = {phone.name for phone in DEMO_PHONES}
    dropped = [name for name in suite.phones if name not in demo]
    for name in dropped:
        await discard_extra_phone(suite, name)
    save_extra_phones(suite.workspace, [])
    return dropped
