"""Default provider URLs: the local mocks, unless a push app configuration overrides them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ProviderEndpoints:
    fcm_send_base: str  # e.g. https://127.0.0.1:PORT (real: https://fcm.googleapis.com)
    fcm_token_uri: (
        str  # e.g. https://127.0.0.1:PORT/token (real: https://oauth2.googleapis.com/token)
    )
    apns_base: str  # e.g. https://127.0.0.1:PORT (real: https://api.sandbox.push.apple.com)
    ca_file: Path  # trust anchor for the mocks

    @classmethod
    def unreachable(cls, ca_file: Path) -> ProviderEndpoints:
        """For a core running without mocks: sends fail fast (connection refused) and say so."""
        closed = "https://127.0.0.1:9"  # the discard port: nothing listens there
        return cls(
            fcm_send_base=closed,
            fcm_token_uri=f"{closed}/token",
            apns_base=closed,
            ca_file=ca_file,
        )

    def describe(self) -> dict[str, str]:
        return {
            "fcm_send_base": self.fcm_send_base,
            "fcm_token_uri": self.fcm_token_uri,
            "apns_base": self.apns_base,
            "ca_file": str(self.ca_file),
        }
