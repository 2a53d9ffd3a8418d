"""``FcmMock``: the mock FCM HTTP v1 service on a free loopback port (hypercorn, TLS).

One port serves the provider API (``/token``, ``/v1/projects/{p}/messages:send``),
the device API and the control API. On start, the workspace's service-account
JSON is rewritten so that its ``token_uri`` points at this mock: a real client
(firebase-admin, google-auth) then needs only the send URL and trust in the
workspace CA.
"""

from __future__ import annotations

from typing import Any

from core.pki import server_ssl_context
from core.provider_credentials import (
    FCM_ANDROID_APP_ID,
    write_service_account,
)
from core.web.asgi_server import LoopbackAsgiServer
from simulators.delivery.provider_mock import ProviderMock
from simulators.fcm.app import FcmApi
from simulators.fcm.errors import FcmErrorCode


class FcmMock(ProviderMock):
    service_name = "fcm"
    label = "FCM"
    allowed_errors = frozenset(code.value for code in FcmErrorCode)

    def _build(self) -> None:
        self.api = FcmApi(
            credentials=self.credentials,
            hub=self.hub,
            clock=self.clock,
            token_uri=lambda: self.token_uri if self.running else None,
            describe=self.describe,
            access=self.control_access,
        )
        self._device_server = LoopbackAsgiServer(
            self.api.app, server_ssl_context(self.pki), name="fcm"
        )

    @property
    def running(self) -> bool:
        return self._device_server.port is not None

    @property
    def url(self) -> str:
        return self._device_server.url

    @property
    def token_uri(self) -> str:
        return f"{self.url}/token"

    @property
    def send_url(self) -> str:
        return f"{self.url}/v1/projects/{self.credentials.fcm_project_id}/messages:send"

    async def start(self) -> None:
        await self._device_server.start()
        write_service_account(self.credentials, token_uri=self.token_uri)
        self._announce_started()

    async def stop(self) -> None:
        await self._stop_servers(self._device_server)

    def describe(self) -> dict[str, Any]:
        running = self.running
        return {
            "service": "fcm",
            "url": self.url if running else None,
            "send_url": self.send_url if running else None,
            "token_uri": self.token_uri if running else None,
            "ca_file": str(self.pki.ca_file),
            "project_id": self.credentials.fcm_project_id,
            "app_id": FCM_ANDROID_APP_ID,
            "service_account_file": str(self.credentials.fcm_service_account_file),
            "client_email": self.credentials.fcm_client_email,
            **self._describe_device_side(),
        }
