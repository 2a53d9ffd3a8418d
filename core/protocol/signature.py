"""16-digit signatures: HMAC-SHA256 over canonical JSON, dynamically truncated.

The phone proves it was unlocked with a given method by signing with that
method's instance key (``core.protocol.keys``). A signature is::

    h   = HMAC-SHA256(instance_key, canonical_bytes(fields))
    off = h[31] & 0x0f
    n   = int.from_bytes(h[off:off+8], "big") & 0x7fff_ffff_ffff_ffff
    sig = str(n % 10**16).zfill(16)

(RFC 4226 dynamic truncation widened from 4 to 8 bytes, so 16 decimal digits
carry ~53 bits.) ``canonical_bytes`` is the UTF-8 of compact JSON with sorted
keys, raw non-ASCII and the ``signature`` key left out. Numbers are written the
way every JSON library agrees on: a float with an integral value (``1700000000.0``)
is written as the integer (``1700000000``), anything else in its shortest
round-trip form; NaN and infinities are refused. So a phone written in any
language that sends ``"time": 1700000000`` and one that sends ``1700000000.0``
sign the same bytes.
"""

from __future__ import annotations

import hmac
import json
import math
from collections.abc import Mapping
from hashlib import sha256

__all__ = [
    "SIGNATURE_DIGITS",
    "canonical_bytes",
    "compute_signature",
    "verify_signature",
]

SIGNATURE_DIGITS = 16
# Integral floats beyond 2**53 are no longer exact integers in other languages;
# leave them to the float formatter.
_EXACT_INT_LIMIT = 2**53


def _canonical_value(value: object) -> object:
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("NaN and infinities have no canonical JSON form")
        if value.is_integer() and abs(value) < _EXACT_INT_LIMIT:
            return int(value)
        return value
    if isinstance(value, Mapping):
        if not all(isinstance(k, str) for k in value):
            raise TypeError("canonical JSON object keys must be strings")
        return {k: _canonical_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical_value(v) for v in value]
    return value


def canonical_bytes(fields: Mapping[str, object]) -> bytes:
    """The exact bytes a signature covers (the ``signature`` key excluded)."""
    if not isinstance(fields, Mapping):
        raise TypeError("fields must be a mapping")
    signed = {k: v for k, v in fields.items() if k != "signature"}
    text = json.dumps(
        _canonical_value(signed),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )
    return text.encode("utf-8")


def _check_key(instance_key: bytes) -> None:
    if not isinstance(instance_key, bytes):
        raise TypeError("instance key must be bytes")
    if len(instance_key) < 16:
        raise ValueError("instance key too short")


def compute_signature(instance_key: bytes, fields: Mapping[str, object]) -> str:
    """Sign ``fields``; returns exactly 16 decimal digits."""
    _check_key(instance_key)
    h = hmac.new(instance_key, canonical_bytes(fields), sha256).digest()
    off = h[31] & 0x0F
    n = int.from_bytes(h[off : off + 8], "big") & 0x7FFF_FFFF_FFFF_FFFF
    return str(n % 10**SIGNATURE_DIGITS).zfill(SIGNATURE_DIGITS)


def verify_signature(instance_key: bytes, fields: Mapping[str, object], signature: str) -> bool:
    """Constant-time check of ``signature`` over ``fields``; never raises on peer data."""
    _check_key(instance_key)
    if not isinstance(signature, str) or len(signature) != SIGNATURE_DIGITS:
        return False
    if not signature.isascii() or not signature.isdigit():
        return False
    try:
        expected = compute_signature(instance_key, fields)
    except (TypeError, ValueError):
        return False  # fields that have no canonical form cannot carry a valid signature
    return hmac.compare_digest(expected.encode("ascii"), signature.encode("ascii"))
