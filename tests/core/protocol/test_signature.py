"""16-digit signatures and their canonical bytes."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from core.protocol.signature import canonical_bytes, compute_signature, verify_signature

KEY = bytes(range(32))
FIELDS: dict[str, object] = {
    "v": 1,
    "requestID": "r-1",
    "challenge": "00112233445566778899aabbccddeeff",
    "decision": "accept",
    "protection": "pin",
    "time": 1700000000.5,
}


def test_canonical_bytes_sorted_compact_utf8_without_signature() -> None:
    fields = {"b": 1, "a": "Zürich", "signature": "1234567890123456", "c": [1, {"y": 2, "x": 1}]}
    assert canonical_bytes(fields) == '{"a":"Zürich","b":1,"c":[1,{"x":1,"y":2}]}'.encode()


def test_integral_floats_are_written_as_integers() -> None:
    # A phone that sends 1700000000 and one that sends 1700000000.0 sign the same bytes.
    assert canonical_bytes({"t": 1700000000.0}) == canonical_bytes({"t": 1700000000})
    assert canonical_bytes({"t": 1700000000.0}) == b'{"t":1700000000}'
    assert canonical_bytes({"t": 1700000000.25}) == b'{"t":1700000000.25}'
    assert canonical_bytes({"t": -0.0}) == b'{"t":0}'
    assert canonical_bytes({"t": True}) == b'{"t":true}'  # bools stay bools


def test_nan_and_non_string_keys_have_no_canonical_form() -> None:
    with pytest.raises(ValueError, match="NaN"):
        canonical_bytes({"t": float("nan")})
    with pytest.raises(TypeError):
        canonical_bytes({"t": {1: 2}})


def test_signature_is_the_documented_truncation() -> None:
    h = hmac.new(KEY, canonical_bytes(FIELDS), hashlib.sha256).digest()
    off = h[31] & 0x0F
    n = int.from_bytes(h[off : off + 8], "big") & 0x7FFF_FFFF_FFFF_FFFF
    signature = compute_signature(KEY, FIELDS)
    assert signature == str(n % 10**16).zfill(16)
    assert len(signature) == 16
    assert signature.isdigit()


def test_verify_accepts_only_the_exact_signature() -> None:
    signature = compute_signature(KEY, FIELDS)
    assert verify_signature(KEY, FIELDS, signature)
    assert verify_signature(KEY, {**FIELDS, "signature": "ignored"}, signature)
    wrong_digit = signature[:-1] + str((int(signature[-1]) + 1) % 10)
    for bad in (wrong_digit, signature[:-1], signature + "0", "", "abcdefghijklmnop", "١" * 16):
        assert not verify_signature(KEY, FIELDS, bad)
    assert not verify_signature(KEY, FIELDS, 1234)  # type: ignore[arg-type]
    assert not verify_signature(bytes(32), FIELDS, signature)  # other instance key
    assert not verify_signature(KEY, {**FIELDS, "decision": "reject"}, signature)
    assert not verify_signature(KEY, {**FIELDS, "time": float("inf")}, signature)


def test_signatures_spread_over_16_digits() -> None:
    signatures = {compute_signature(KEY, {"i": i}) for i in range(500)}
    assert len(signatures) == 500
    assert any(s.startswith("0") for s in signatures)  # zero padding is exercised


def test_key_misuse() -> None:
    with pytest.raises(TypeError):
        compute_signature("key", FIELDS)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="too short"):
        compute_signature(b"short", FIELDS)
