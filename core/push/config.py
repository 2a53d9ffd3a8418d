"""What the dispatcher needs to know about a push app, in push's own terms.

The push layer sits below storage's users but beside storage, so it does not
read storage records; the service maps a stored push app to this config.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class PushAppConfig:
    app_id: str
    platform: str  # android | ios
    fcm_project_id: str | None = None
    fcm_service_account: str | None = None
    fcm_legacy_server_key: str | None = None
    apns_auth: str | None = None  # token | certificate
    apns_key_pem: str | None = None
    apns_key_id: str | None = None
    apns_team_id: str | None = None
    apns_cert_pem: str | None = None
    apns_bundle_id: str | None = None
    apns_environment: str = "sandbox"
    endpoint: str | None = None
    token_uri: str | None = None

    @property
    def apns_topic(self) -> str:
        """SPEC §2.1: without a Bundle ID, the app ID is the Bundle ID."""
        return self.apns_bundle_id or self.app_id
