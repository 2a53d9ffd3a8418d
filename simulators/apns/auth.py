"""APNs provider authentication: ES256 provider tokens and client certificates.

Token auth: ``authorization: bearer <JWT>`` with header ``alg`` ES256 and
``kid`` = the key ID, claims ``iss`` = the team ID and ``iat``; the signature
must verify with the public half of the ``.p8`` key. A token older than one
hour (by the mock's clock) is ``ExpiredProviderToken``; any other defect is
``InvalidProviderToken``; no token on a connection without a client
certificate is ``MissingProviderToken``. Verified tokens are cached, since a
client reuses one token for 20-60 minutes.

Certificate auth: the TLS layer verified the client certificate against the
workspace CA; the topic is the certificate subject's UID (the bundle ID).
"""

from __future__ import annotations

import jwt
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from core.clock import Clock
from core.provider_credentials import ProviderCredentials
from simulators.delivery.signed_jwt import decode_signed

TOKEN_LIFETIME = 3600
FUTURE_SKEW = 300
_CACHE_LIMIT = 512


def topic_from_certificate(der: bytes | None) -> str | None:
    """The bundle ID (subject UID) of a verified client certificate."""
    if not der:
        return None
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError:
        return None
    uids = cert.subject.get_attributes_for_oid(NameOID.USER_ID)
    value = uids[0].value if uids else None
    return value if isinstance(value, str) and value else None


class ProviderTokenVerifier:
    def __init__(self, *, credentials: ProviderCredentials, clock: Clock) -> None:
        self._public_key: ec.EllipticCurvePublicKey = credentials.apns_private_key().public_key()
        self._key_id = credentials.apns_key_id
        self._team_id = credentials.apns_team_id
        self._clock = clock
        # token -> iat of tokens whose signature, kid and iss were good
        self._verified: dict[str, int] = {}

    def check(self, authorization: str | None) -> str | None:
        """``None`` when the provider token is good, else the APNs reason."""
        if not authorization:
            return "MissingProviderToken"
        scheme, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return "InvalidProviderToken"
        iat = self._verified.get(token)
        if iat is None:
            verified = self._verify(token)
            if isinstance(verified, str):
                return verified
            iat = verified
            if len(self._verified) >= _CACHE_LIMIT:
                self._verified.clear()
            self._verified[token] = iat
        now = self._clock.now()
        if iat > now + FUTURE_SKEW:
            return "InvalidProviderToken"
        if now - iat > TOKEN_LIFETIME:
            return "ExpiredProviderToken"
        return None

    def _verify(self, token: str) -> int | str:
        try:
            header, claims = decode_signed(
                token, key=self._public_key, algorithm="ES256", required=["iss", "iat"]
            )
        except jwt.PyJWTError:
            return "InvalidProviderToken"
        if header.get("kid") != self._key_id or claims.get("iss") != self._team_id:
            return "InvalidProviderToken"
        iat = claims.get("iat")
        if not isinstance(iat, int | float) or isinstance(iat, bool):
            return "InvalidProviderToken"
        return int(iat)
