"""Who may use a mock's control API and a device's delivery stream.

- **Control API** (``/pushsim/control/...``): ``Authorization: Bearer <token>``
  with the mock's own control token or the workspace admin token. Refusals are
  401 in the provider's own error shape (FCM: google.rpc ``UNAUTHENTICATED``;
  APNs: ``{"reason": "MissingProviderToken" | "InvalidProviderToken"}``).
- **Delivery stream**: the registration secret the mock issued once, in the
  registration answer, sent back as ``X-PushSim-Registration-Secret``. The mock
  keeps only its SHA-256 digest.

Every comparison is constant-time (``hmac.compare_digest`` over digests of
equal length), and every accepted token is compared, so timing tells neither
which token matched nor how much of one did.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

from simulators.delivery.asgi import HttpRequest, HttpResponse
from simulators.delivery.registry import Service

SECRET_HEADER = "x-pushsim-registration-secret"  # noqa: S105 - a header name
UNAUTHENTICATED_MESSAGE = (
    "The control API needs Authorization: Bearer <control token or workspace admin token>."
)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def _digest_bytes(value: str) -> bytes:
    return hashlib.sha256(value.encode("utf-8", errors="surrogatepass")).digest()


def secret_digest(secret: str) -> str:
    return _digest_bytes(secret).hex()


def secret_matches(given: str, digest: str | None) -> bool:
    """True when ``given`` is the secret whose digest is ``digest`` (constant time)."""
    expected = digest if digest is not None else "0" * 64
    return hmac.compare_digest(secret_digest(given), expected) and digest is not None


class ControlAccess:
    """The bearer tokens a mock's control API accepts, and its 401 answers."""

    def __init__(self, service: Service, tokens: Iterable[str | None]) -> None:
        self.service: Service = service
        self._digests = tuple(_digest_bytes(token) for token in tokens if token)
        if not self._digests:
            raise ValueError("the control API needs at least one token")

    def refusal(self, request: HttpRequest) -> HttpResponse | None:
        """None when the request carries an accepted bearer token, else the 401."""
        bearer = request.bearer()
        if bearer is None:
            return self._unauthorised(missing=True)
        given = _digest_bytes(bearer)
        matched = False
        for digest in self._digests:  # all of them, whichever matches
            matched |= hmac.compare_digest(given, digest)
        return None if matched else self._unauthorised(missing=False)

    def _unauthorised(self, *, missing: bool) -> HttpResponse:
        headers = (("www-authenticate", 'Bearer realm="pushsim-control"'),)
        if self.service == "apns":
            reason = "MissingProviderToken" if missing else "InvalidProviderToken"
            return HttpResponse.json(401, {"reason": reason}, headers=headers)
        error = {"code": 401, "message": UNAUTHENTICATED_MESSAGE, "status": "UNAUTHENTICATED"}
        return HttpResponse.json(401, {"error": error}, headers=headers)
