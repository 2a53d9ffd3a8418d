"""The user-side login client: the one HTTP client both the GUI and ``pushsim demo`` use.

A login is two calls to the validation core, over HTTPS trusting the
workspace CA: ``POST /v1/users/{userID}@{domain}/login`` with the passKey
(keyword + static password) starts the push login, then
``GET /v1/sessions/{id}?wait=`` long-polls until the session is decided.
Answers come back as frozen values (``LoginStarted``, ``Decision``) rather
than JSON, so callers never parse the wire; a core that cannot be reached is
``CoreUnreachable``. Qt-free: the GUI wraps it in ``app.login_panel.LoginModel``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from core.step_gate import NO_GATE, Gate
from simulators.workspace_http import WorkspaceHttpClient

POLL_WAIT = 10  # seconds the core may hold one status request
HTTP_TIMEOUT = POLL_WAIT + 10.0
PENDING = "pending"
DECIDED = frozenset({"accepted", "refused", "timeout", "failure"})


class CoreUnreachable(Exception):
    """No HTTP answer from the core (refused connection, TLS failure, time-out)."""

    @classmethod
    def from_http_error(cls, error: httpx.HTTPError) -> CoreUnreachable:
        return cls(f"core unreachable: {error}" if str(error) else type(error).__name__)


@dataclass(frozen=True, kw_only=True)
class CoreAnswer:
    """What every answer carries: the HTTP status and, when refused, the core's reason."""

    request_id: str | None
    status: str  # the sessionStatus, or "error" when the core refused the call
    http_status: int
    message: str = ""  # the reason of a decision, the core's message of a refusal
    number: int | None = None  # the number to pick on the phone (number matching)
    remaining_attempts: int | None = None
    body: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def refused(self) -> bool:
        """The core answered the call itself with an error (not a decided session)."""
        return self.http_status != 200

    @property
    def decided(self) -> bool:
        return self.status in DECIDED

    @property
    def refusal(self) -> str:
        """A one-line text for a refused call: ``HTTP 401: ... (2 attempts left)``."""
        text = f"HTTP {self.http_status}: {self.message or 'refused'}"
        if self.remaining_attempts is not None:
            text += f" ({self.remaining_attempts} attempts left)"
        return text


@dataclass(frozen=True, kw_only=True)
class LoginStarted(CoreAnswer):
    """The answer to the login POST: pending (a push is on its way), failure or refused."""


@dataclass(frozen=True, kw_only=True)
class Decision(CoreAnswer):
    """The session as a status request found it (decided unless the wait ran out)."""

    reason: str | None = None
    protection_used: str | None = None  # the unlock the phone answered with


class LoginClient(WorkspaceHttpClient):
    """Logs users in at one core; one connection pool, closed by ``aclose``."""

    def __init__(self, base_url: str, ca_file: Path, *, gate: Gate = NO_GATE) -> None:
        super().__init__(base_url, ca_file, timeout=HTTP_TIMEOUT)
        self._gate = gate  # step mode: the login waits before step 1, and waits without a limit

    async def login(
        self, user_id: str, domain: str, passkey: str, *, client_ip: str | None = None
    ) -> LoginStarted:
        """Start a push login for ``user_id@domain`` with ``passkey`` (keyword + password)."""
        payload: dict[str, Any] = {
            "objectType": "LoginInput",
            "credentials": {"passKey": passkey},
            "orchestrationDelivery": ["pushNotification"],
        }
        if client_ip is not None:
            payload["clientIP"] = client_ip
        path = f"/v1/users/{quote(user_id, safe='@')}@{quote(domain, safe='')}/login"
        await self._gate.reach(1)
        patient = {"timeout": None} if self._gate.enabled else {}
        http_status, body = await self._call("POST", path, json=payload, **patient)
        fields = _answer_fields(http_status, body, request_id=None)
        return LoginStarted(**fields)

    async def status(self, request_id: str, *, wait: float = POLL_WAIT) -> Decision:
        """One status request; the core holds it up to ``wait`` seconds while pending."""
        http_status, body = await self._call(
            "GET", f"/v1/sessions/{quote(request_id, safe='')}", params={"wait": wait}
        )
        fields = _answer_fields(http_status, body, request_id=request_id)
        reason = body.get("reason")
        used = body.get("protectionUsed")
        return Decision(
            **fields,
            reason=str(reason) if reason else None,
            protection_used=str(used) if used else None,
        )

    # A timeout parameter on purpose: callers state how long a user waits, and
    # the client turns it into one deadline across several long polls.
    async def wait_decided(
        self,
        request_id: str,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> Decision:
        """Long-poll until the session is decided or the core refuses the request.

        Raises ``TimeoutError`` after ``timeout`` seconds (None: until cancelled).
        """
        async with asyncio.timeout(timeout):
            while True:
                decision = await self.status(request_id)
                if decision.refused or decision.status != PENDING:
                    return decision

    async def _call(self, method: str, path: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
        try:
            response = await self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise CoreUnreachable.from_http_error(exc) from exc
        try:
            body = response.json()
        except ValueError:
            body = {"message": response.text}
        return response.status_code, body if isinstance(body, dict) else {"message": str(body)}


def _answer_fields(http_status: int, body: dict[str, Any], *, request_id: str | None) -> Any:
    """The ``CoreAnswer`` fields of a response body (keyword arguments)."""
    found = body.get("requestID")
    refused = http_status != 200
    message = body.get("message") if refused else body.get("reason")
    return {
        "request_id": str(found) if found is not None else request_id,
        "status": "error" if refused else str(body.get("sessionStatus", "unknown")),
        "http_status": http_status,
        "message": str(message or ""),
        "number": None if refused else _int(body.get("number")),
        "remaining_attempts": _int(body.get("remainingAttempts")),
        "body": body,
    }


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
