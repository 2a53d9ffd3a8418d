"""A client of the mocks' control API (docs/mocks.md, "Faults"), shared by every caller.

Faults are injected over HTTPS like any external tester would, not by reaching
into the mock objects: the scenarios, the soak benchmark and the window's fault
panel all use ``FaultControl``. ``control_headers`` is the one place that
decides the bearer token the control API wants. Qt-free.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import httpx

from core.pki import client_ssl_context

if TYPE_CHECKING:
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
    """The control API refused a request; ``str()`` is the mock's own message."""


def _refusal(service: str, response: httpx.Response) -> FaultError:
    try:
        message = response.json().get("message")
    except ValueError:
        message = None
    text = message if isinstance(message, str) and message else response.text
    return FaultError(f"{service} control API: HTTP {response.status_code} {text}")


class FaultControl:
    """Faults, seed and devices of both mocks; remembers scenario ids -> mock fault ids."""

    def __init__(self, suite: Suite) -> None:
        self._http = httpx.AsyncClient(verify=client_ssl_context(suite.pki.ca_file), timeout=10.0)
        self._headers = {service: control_headers(suite, service) for service in SERVICES}
        self.urls = {"fcm": suite.fcm.control_url, "apns": suite.apns.control_url}
        self._ids: dict[str, tuple[str, str]] = {}  # scenario id -> (service, mock id)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def call(self, method: str, service: str, path: str = "", **kwargs: Any) -> Any:
        """One control request; the JSON answer, or FaultError with the mock's message."""
        url = self.urls[service] + path
        response = await self._http.request(method, url, headers=self._headers[service], **kwargs)
        if response.status_code >= 300:
            raise _refusal(service, response)
        return response.json()

    # -- what the window's panel reads -------------------------------------------------
    async def describe(self, service: str) -> dict[str, Any]:
        """``GET {control}``: the mock's describe() plus its seed and faults."""
        answer: dict[str, Any] = await self.call("GET", service)
        return answer

    async def faults(self, service: str) -> dict[str, Any]:
        """``GET {control}/faults``: ``{"seed", "faults": [...]}``."""
        answer: dict[str, Any] = await self.call("GET", service, "/faults")
        return answer

    async def inject(self, service: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """``POST {control}/faults`` with the control API's own field names."""
        created: dict[str, Any] = await self.call("POST", service, "/faults", json=dict(body))
        return created

    async def remove_fault(self, service: str, fault_id: str) -> None:
        await self.call("DELETE", service, f"/faults/{fault_id}")

    async def set_seed(self, service: str, seed: int) -> None:
        await self.call("POST", service, "/seed", json={"seed": seed})

    # -- what scenarios use ------------------------------------------------------------
    async def seed(self, seed: int) -> None:
        for service in SERVICES:
            await self.set_seed(service, seed)

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
        mock_id = str((await self.inject(service, body))["id"])
        if "id" in fault:
            self._ids[str(fault["id"])] = (service, mock_id)
        return mock_id

    async def remove(self, scenario_id: str) -> None:
        if scenario_id not in self._ids:
            raise FaultError(f"no fault named {scenario_id!r} was injected")
        service, mock_id = self._ids.pop(scenario_id)
        await self.remove_fault(service, mock_id)

    async def clear(self) -> None:
        for service in SERVICES:
            await self.call("DELETE", service, "/faults")
        self._ids.clear()
