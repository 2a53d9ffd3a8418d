"""The mock Google OAuth 2.0 token endpoint (JWT-bearer grant) and bearer checks.

A client signs an assertion with the service account's RSA key (RS256):
``iss`` = client_email, ``aud`` = ``https://oauth2.googleapis.com/token`` (what
google-auth always sends) or the service account's ``token_uri`` (the mock),
``scope`` containing ``firebase.messaging`` or ``cloud-platform``, ``iat``/``exp``
at most an hour apart. It posts ``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer
&assertion=<jwt>`` and gets ``{access_token, expires_in, token_type}``. Sends
carry ``Authorization: Bearer <access_token>``; the token is valid for an hour
of the mock's clock. Time checks use the mock's clock, never the host's.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from core.clock import Clock
from core.provider_credentials import GOOGLE_TOKEN_URI, ProviderCredentials
from simulators.delivery.signed_jwt import decode_signed

JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ACCESS_TOKEN_LIFETIME = 3600
MAX_ASSERTION_LIFETIME = 3600
CLOCK_SKEW = 300
ACCEPTED_SCOPES = ("firebase.messaging", "cloud-platform")


@dataclass(frozen=True, kw_only=True)
class AccessGrant:
    client_email: str
    project_id: str
    scope: str
    expires_at: float


@dataclass(frozen=True, kw_only=True)
class TokenAnswer:
    """The token endpoint's answer; ``claims`` are safe to log (no signature, no token)."""

    status: int
    body: dict[str, Any]
    claims: dict[str, Any]


def _refusal(error: str, description: str, claims: dict[str, Any] | None = None) -> TokenAnswer:
    return TokenAnswer(
        status=400, body={"error": error, "error_description": description}, claims=claims or {}
    )


class OAuthIssuer:
    def __init__(
        self,
        *,
        credentials: ProviderCredentials,
        clock: Clock,
        token_uri: Callable[[], str | None],
    ) -> None:
        account = credentials.service_account()
        self._client_email = str(account["client_email"])
        self._key_id = str(account.get("private_key_id", ""))
        self._project_id = credentials.fcm_project_id
        self._public_key = _public_key(str(account["private_key"]))
        self._clock = clock
        self._token_uri = token_uri
        # Keyed by the token's SHA-256, so the lookup never compares secrets directly.
        self._grants: dict[bytes, AccessGrant] = {}

    def token_request(self, body: bytes, *, refuse_all: bool = False) -> TokenAnswer:
        """Answer ``POST /token`` (form-encoded)."""
        try:
            form = parse_qs(body.decode("utf-8"), strict_parsing=False)
        except UnicodeDecodeError:
            return _refusal("invalid_request", "body must be form-encoded")
        grant_type = form.get("grant_type", [""])[0]
        assertion = form.get("assertion", [""])[0]
        if grant_type != JWT_BEARER_GRANT:
            return _refusal("unsupported_grant_type", "Invalid grant_type: " + grant_type)
        if not assertion:
            return _refusal("invalid_request", "Missing required parameter: assertion")
        try:
            header, claims = decode_signed(
                assertion,
                key=self._public_key,
                algorithm="RS256",
                required=["iss", "aud", "iat", "exp"],
            )
        except jwt.PyJWTError:
            return _refusal("invalid_grant", "Invalid JWT Signature.")
        safe = {name: claims.get(name) for name in ("iss", "aud", "scope", "iat", "exp", "sub")}
        if refuse_all:
            return _refusal("invalid_grant", "Invalid JWT Signature.", safe)
        if header.get("kid") not in (None, self._key_id):
            return _refusal("invalid_grant", "Invalid JWT Signature.", safe)
        if claims.get("iss") != self._client_email:
            return _refusal("invalid_grant", "Invalid issuer: unknown service account", safe)
        audiences = {GOOGLE_TOKEN_URI, self._token_uri()}
        audience = claims.get("aud")
        if not isinstance(audience, str) or audience not in audiences:
            return _refusal("invalid_grant", "Invalid JWT: audience is not the token URI", safe)
        now = self._clock.now()
        try:
            iat, exp = float(claims["iat"]), float(claims["exp"])
        except (TypeError, ValueError):
            return _refusal("invalid_grant", "Invalid JWT: iat and exp must be numbers", safe)
        if exp - iat > MAX_ASSERTION_LIFETIME or exp <= iat:
            return _refusal(
                "invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes)", safe
            )
        if iat > now + CLOCK_SKEW or exp < now - CLOCK_SKEW:
            return _refusal(
                "invalid_grant",
                "Invalid JWT: Token must be a short-lived token (60 minutes) and in a "
                "reasonable timeframe. Check your iat and exp values.",
                safe,
            )
        scope = claims.get("scope", "")
        scopes = scope.split() if isinstance(scope, str) else []
        if not any(s.endswith(accepted) for s in scopes for accepted in ACCEPTED_SCOPES):
            return _refusal("invalid_scope", "firebase.messaging or cloud-platform needed", safe)
        return TokenAnswer(status=200, body=self._issue(scope), claims=safe)

    def _issue(self, scope: str) -> dict[str, Any]:
        now = self._clock.now()
        if len(self._grants) > 10_000:
            self._grants = {t: g for t, g in self._grants.items() if g.expires_at > now}
        token = "ya29.pushsim-" + secrets.token_urlsafe(48)
        self._grants[_digest(token)] = AccessGrant(
            client_email=self._client_email,
            project_id=self._project_id,
            scope=scope,
            expires_at=now + ACCESS_TOKEN_LIFETIME,
        )
        return {
            "access_token": token,
            "expires_in": ACCESS_TOKEN_LIFETIME - 1,
            "token_type": "Bearer",
        }

    def check_bearer(self, authorization: str) -> AccessGrant | None:
        """The grant behind ``Authorization: Bearer ...`` while it is valid."""
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        grant = self._grants.get(_digest(token.strip()))
        if grant is None or grant.expires_at <= self._clock.now():
            return None
        return grant

    def mint_access_token(self) -> str:
        """A valid access token without the OAuth round trip (in-process callers)."""
        answer = self._issue("https://www.googleapis.com/auth/firebase.messaging")
        return str(answer["access_token"])


@functools.lru_cache(maxsize=8)
def _public_key(private_pem: str) -> rsa.RSAPublicKey:
    # Loading an RSA private key validates it, which costs ~0.1 s: once per key.
    key = serialization.load_pem_private_key(private_pem.encode("ascii"), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("the FCM service account does not hold an RSA key")
    return key.public_key()


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()
