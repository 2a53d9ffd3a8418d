"""The scenarios' client of the mocks' control API (docs/mocks.md, "Faults").

Faults are injected over HTTPS like any external tester would, not by reaching
into the mock objects. ``control_headers`` is the one place that decides the
bearer token the control API wants (none while a mock does not require one).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from core.pki import client_ssl_context
from simulators.suite import Suite

SERVICES = ("fcm", "apns")

# scenario fault keys -> the control API's field names
_RENAMES = {"reason": "error", "seconds": "latency"}


def control_headers(suite: Suite, service: str) -> dict[str, str]:
    """The headers a control API call carries: the mock's bearer token, when it has one."""
    mock = suite.fcm if service == "fcm" else suite.apns
    token = getattr(mock, "control_token", None)
    return {"Authorization": f"Bearer {token}"} if isinstance(token, str) and token else {}


class FaultError(Exception):
    """The control API refused a fault."""


class FaultControl:
    """Adds and clears faults on both mocks; remembers scenario ids -> mock fault ids."""

    def __init__(self, suite: Suite) -> None:
        self._http = httpx.AsyncClient(verify=client_ssl_context(suite.pki.ca_file), timeout=10.0)
        self._headers = {service: control_headers(suite, service) for service in SERVICES}
        self._urls = {"fcm": suite.fcm.control_url, "apns": suite.apns.control_url}
        self._ids: dict[str, tuple[str, str]] = {}  # scenario id -> (service, mock id)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _call(self, method: str, service: str, path: str, **kwargs: Any) -> Any:
        url = self._urls[service] + path
        response = await self._http.request(method, url, headers=self._headers[service], **kwargs)
        if response.status_code >= 300:
            raise FaultError(f"{service} control API: HTTP {response.status_code} {response.text}")
        return response.json()

    async def seed(self, seed: int) -> None:
        for service in SERVICES:
            await self._call("POST", service, "/seed", json={"seed": seed})

    async def add(self, fault: Mapping[str, Any], token: str | None) -> str:
        """Inject ``fault`` (scenario keys); returns the mock's fault id."""
        service = str(fault["service"])
        body: dict[str, Any] = {}
        for key, value in fault.items():
            if key in ("service", "phone", "id"):
                continue
            body[_RENAMES.get(key, key)] = value
        if token is not None:
            body["token"] = token
        created = await self._call("POST", service, "/faults", json=body)
        mock_id = str(created["id"])
        if "id" in fault:
            self._ids[str(fault["id"])] = (service, mock_id)
        return mock_id

    async def remove(self, scenario_id: str) -> None:
        if scenario_id not in self._ids:
            raise FaultError(f"no fault named {scenario_id!r} was injected")
        service, mock_id = self._ids.pop(scenario_id)
        await self._call("DELETE", service, f"/faults/{mock_id}")

    async def clear(self) -> None:
        for service in SERVICES:
            await self._call("DELETE", service, "/faults")
        self._ids.clear()
