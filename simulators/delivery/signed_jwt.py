"""Checking a provider JWT's signature while leaving the time checks to the mock.

APNs provider tokens (ES256) and Google service-account assertions (RS256)
are both verified here: signature and required claims only. Each mock then
applies its own clock rules (APNs' one-hour token age, Google's ``exp``), so
the answers carry that provider's exact error, not PyJWT's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jwt


def decode_signed(
    token: str, *, key: Any, algorithm: str, required: Sequence[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(header, claims)`` of a token signed by ``key``; ``jwt.PyJWTError`` otherwise."""
    header: dict[str, Any] = jwt.get_unverified_header(token)
    claims: dict[str, Any] = jwt.decode(
        token,
        key=key,
        algorithms=[algorithm],
        options={
            "verify_signature": True,
            "verify_exp": False,
            "verify_iat": False,
            "verify_nbf": False,
            "verify_aud": False,
            "require": list(required),
        },
    )
    return header, claims
