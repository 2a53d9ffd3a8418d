"""What the dispatcher needs to know about a push app, in push's own terms.

The push layer sits below storage's users but beside storage, so it does not
read storage records; the service copies a stored push app's ``PushApp``
fields into this config (``core.protocol.fields``).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.protocol.fields import PushApp


@dataclass(frozen=True, kw_only=True)
class PushAppConfig(PushApp):
    """Every field of ``PushApp``; the service copies them from the stored push app."""
