"""Typed, frozen details of the phone's event kinds whose details are fixed fields.

Each class is a ``core.events.EventDetails``: readers use fields
(``event.details.token``) and it still reads as the mapping it replaced (the
audit log, traces and the inspector serialise it unchanged, same keys). Kinds
whose details are camelCase or have optional keys keep plain dicts for now, so
the trace JSON stays exactly as it was.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.events import EventDetails


@dataclass(frozen=True, kw_only=True)
class PushTokenDetails(EventDetails):
    """``phone.push.token``, ``phone.push.token_revoked``, ``phone.push.unregistered``,
    ``phone.delivery.online``: the push token concerned."""

    token: str


@dataclass(frozen=True, kw_only=True)
class UnlockSucceeded(EventDetails):
    """``phone.unlock.succeeded``: how the user unlocked, and the key it released."""

    method: str  # pin | fingerprint | device
    protection: str  # the instance key used: device | pin | fingerprint
