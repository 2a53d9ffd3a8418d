"""The FCM mock over HTTP/2: early answers (413, 404) keep the connection, like the core's."""

from __future__ import annotations

from pathlib import Path

import httpx

from core.clock import FrozenClock
from core.events import EventBus
from core.pki import client_ssl_context
from tests.simulators.mock_support import make_material, running_fcm


async def test_a_large_body_and_an_unknown_path_keep_the_http2_connection(
    tmp_path: Path,
) -> None:
    material = make_material(tmp_path)
    async with running_fcm(material, EventBus(), FrozenClock(1_800_000_000.0)) as mock:
        verify = client_ssl_context(material.pki.ca_file)
        async with httpx.AsyncClient(base_url=mock.url, verify=verify, http2=True) as http:
            big = await http.post("/pushsim/v1/devices", content=b"x" * (10 << 20))
            unknown = await http.post("/v1/nowhere%00", content=b"x" * 300_000)
            registered = await http.post(
                "/pushsim/v1/devices",
                json={"projectId": material.creds.fcm_project_id, "appId": "com.example"},
            )
            open_at_the_end = mock._device_server.connections.open
    assert (big.status_code, big.http_version) == (413, "HTTP/2")
    assert unknown.json()["error"]["status"] == "NOT_FOUND"
    assert registered.status_code == 201
    assert open_at_the_end == 1  # all three on one connection
