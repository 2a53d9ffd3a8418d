"""Write tests/vectors/secure_channel_v1.json: PushSim v1 known-answer vectors.

Deliberately independent of ``core.protocol``: this is a second, minimal
implementation written from docs/protocol.md with the ``cryptography``
primitives only, so the committed vectors check the real code instead of
echoing it. Every input is fixed, so running it again reproduces the file
byte for byte::

    .venv/bin/python tests/vectors/make_vectors.py          # rewrite the file
    .venv/bin/python tests/vectors/make_vectors.py --check  # exit 1 if it would change

Tests never run this script; they compare the code against the committed JSON.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sys
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

OUT = Path(__file__).with_name("secure_channel_v1.json")
SERIAL = "PS12345678"


def fixed(label: str, n: int) -> bytes:
    """Fixed, reproducible "random" bytes: SHA-256 of a label, stretched."""
    out = b""
    counter = 0
    while len(out) < n:
        out += hashlib.sha256(f"pushsim vectors {label} {counter}".encode()).digest()
        counter += 1
    return out[:n]


def hkdf(ikm: bytes, salt: bytes, info: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def seal(
    msg_type: int,
    protection: int,
    serial: str,
    nonce: bytes,
    body: bytes,
    enc_key: bytes,
    mac_key: bytes,
) -> str:
    header = bytes([0x01, msg_type, protection]) + serial.encode("ascii") + nonce
    if protection == 0x00:
        return (header + body).hex()
    if protection == 0x01:
        enc = Cipher(algorithms.AES(enc_key), modes.CTR(nonce + bytes(8))).encryptor()
        body = enc.update(body) + enc.finalize()
    tag = hmac.new(mac_key, header + body, hashlib.sha256).digest()[:8]
    return (header + body + tag).hex()


def canonical(fields: dict[str, Any]) -> bytes:
    def norm(value: Any) -> Any:
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
            return int(value)
        if isinstance(value, dict):
            return {k: norm(v) for k, v in value.items()}
        if isinstance(value, list):
            return [norm(v) for v in value]
        return value

    signed = {k: norm(v) for k, v in fields.items() if k != "signature"}
    text = json.dumps(signed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def signature(key: bytes, fields: dict[str, Any]) -> str:
    h = hmac.new(key, canonical(fields), hashlib.sha256).digest()
    off = h[31] & 0x0F
    n = int.from_bytes(h[off : off + 8], "big") & 0x7FFF_FFFF_FFFF_FFFF
    return str(n % 10**16).zfill(16)


def compact(obj: dict[str, Any]) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def authenticator_keys(secret: bytes, salt: bytes, serial: str) -> dict[str, str]:
    purposes = {
        "server_to_device_enc": ("server-to-device-enc", 16),
        "server_to_device_mac": ("server-to-device-mac", 32),
        "device_to_server_enc": ("device-to-server-enc", 16),
        "device_to_server_mac": ("device-to-server-mac", 32),
        "instance_device": ("instance-device", 32),
        "instance_pin": ("instance-pin", 32),
        "instance_fingerprint": ("instance-fingerprint", 32),
    }
    out = {"serial": serial}
    for name, (purpose, length) in purposes.items():
        info = f"pushsim v1 {purpose} {serial}".encode("ascii")
        out[name] = hkdf(secret, salt, info, length).hex()
    return out


def channel_vectors() -> list[dict[str, Any]]:
    enc_key, mac_key = fixed("enc key", 16), fixed("mac key", 32)
    bodies = {
        "empty body": b"",
        "one block": b"0123456789abcdef",
        "partial block": b"PushSim Secure Channel v1 vector",  # 32 bytes
        "utf-8 json": compact({"v": 1, "title": "Zürich ✓", "n": 3}),
    }
    cases = []
    for i, (name, body) in enumerate(bodies.items()):
        nonce = fixed(f"nonce {i}", 8)
        for protection in (0x00, 0x01, 0x11):
            msg_type = 3 if protection != 0x00 else 5
            message = seal(msg_type, protection, SERIAL, nonce, body, enc_key, mac_key)
            cases.append(
                {
                    "name": f"{name}, protection 0x{protection:02x}",
                    "type": msg_type,
                    "protection": protection,
                    "serial": SERIAL,
                    "nonce": nonce.hex(),
                    "enc_key": enc_key.hex(),
                    "mac_key": mac_key.hex(),
                    "body": body.hex(),
                    "message": message,
                }
            )
    return cases


def main() -> int:
    # --- key derivation from a fixed activation secret ---
    secret, salt = fixed("activation secret", 32), fixed("salt", 16)
    derived = authenticator_keys(secret, salt, SERIAL)
    key_derivation = {
        "activation_secret": secret.hex(),
        "salt": salt.hex(),
        "serial": SERIAL,
        "keys": derived,
    }

    # --- signatures with those instance keys ---
    challenge = fixed("challenge", 16).hex()
    signature_fields: list[tuple[str, str, dict[str, Any]]] = [
        (
            "accept with pin",
            "pin",
            {
                "v": 1,
                "requestID": "req-0001",
                "challenge": challenge,
                "decision": "accept",
                "protection": "pin",
                "time": 1700000000.0,
            },
        ),
        (
            "reject with device key",
            "device",
            {
                "v": 1,
                "requestID": "req-0001",
                "challenge": challenge,
                "decision": "reject",
                "protection": "device",
                "time": 1700000000.25,
            },
        ),
        (
            "accept with fingerprint and number",
            "fingerprint",
            {
                "v": 1,
                "requestID": "req-0002",
                "challenge": challenge,
                "decision": "accept",
                "protection": "fingerprint",
                "time": 1700000001.5,
                "number": 42,
            },
        ),
        ("activation", "device", {"purpose": "activate", "registrationID": "reg-0001"}),
        (
            "non-ascii and nesting",
            "device",
            {
                "purpose": "pending",
                "serialNumber": SERIAL,
                "time": 1700000000,
                "note": "Zürich ✓",
                "nested": {"b": 2, "a": [1, 2.0]},
            },
        ),
    ]
    signatures = [
        {
            "name": name,
            "instance_key": protection,
            "key": derived[f"instance_{protection}"],
            "fields": fields,
            "canonical": canonical(fields).decode("utf-8"),
            "signature": signature(bytes.fromhex(derived[f"instance_{protection}"]), fields),
        }
        for name, protection, fields in signature_fields
    ]

    # --- activation with fixed ephemeral keys ---
    password, registration_id = "ABCD-EFGH-JKLM", "reg-0001"
    normalised = password.replace("-", "").upper().encode("utf-8")
    server_private = X25519PrivateKey.from_private_bytes(fixed("server private", 32))
    device_private = X25519PrivateKey.from_private_bytes(fixed("device private", 32))
    server_public = server_private.public_key().public_bytes_raw()
    device_public = device_private.public_key().public_bytes_raw()
    shared = server_private.exchange(X25519PublicKey.from_public_bytes(device_public))
    act_salt = fixed("activation salt", 16)
    integrity_key = hkdf(b"pushsim activation integrity", b"", SERIAL.encode("ascii"), 32)
    password_key = hkdf(shared, act_salt, b"pushsim v1 device-code " + normalised, 32)
    message2_key = hkdf(shared, act_salt, b"pushsim v1 message-2 " + normalised, 32)
    act_secret = hkdf(shared, act_salt, b"pushsim v1 activation-secret " + normalised, 32)
    code_mac = hmac.new(password_key, device_public + registration_id.encode(), hashlib.sha256)
    code = base64.b32encode(device_public + code_mac.digest()[:8]).decode("ascii")
    body1 = {
        "v": 1,
        "step": 1,
        "serialNumber": SERIAL,
        "userID": "alice",
        "domain": "demo",
        "registrationID": registration_id,
        "serverPublicKey": server_public.hex(),
        "salt": act_salt.hex(),
    }
    body2 = {"v": 1, "step": 2, "serialNumber": SERIAL, "registrationID": registration_id}
    nonce1, nonce2 = fixed("message 1 nonce", 8), fixed("message 2 nonce", 8)
    act_keys = authenticator_keys(act_secret, act_salt, SERIAL)
    activation = {
        "serial": SERIAL,
        "user_id": "alice",
        "domain": "demo",
        "registration_id": registration_id,
        "activation_password": password,
        "server_private": server_private.private_bytes_raw().hex(),
        "server_public": server_public.hex(),
        "device_private": device_private.private_bytes_raw().hex(),
        "device_public": device_public.hex(),
        "salt": act_salt.hex(),
        "integrity_mac_key": integrity_key.hex(),
        "shared_secret": shared.hex(),
        "password_key": password_key.hex(),
        "message2_mac_key": message2_key.hex(),
        "activation_secret": act_secret.hex(),
        "device_code": "-".join(code[i : i + 4] for i in range(0, len(code), 4)),
        "message1_nonce": nonce1.hex(),
        "message1_body": compact(body1).decode("utf-8"),
        "message1": seal(1, 0x11, SERIAL, nonce1, compact(body1), bytes(16), integrity_key),
        "message2_nonce": nonce2.hex(),
        "message2_body": compact(body2).decode("utf-8"),
        "message2": seal(1, 0x11, SERIAL, nonce2, compact(body2), bytes(16), message2_key),
        "activate_signature": signature(
            bytes.fromhex(act_keys["instance_device"]),
            {"purpose": "activate", "registrationID": registration_id},
        ),
        "keys": act_keys,
    }

    # --- one push login with the activated keys ---
    login_challenge = fixed("login challenge", 16).hex()
    request = {
        "v": 1,
        "requestID": "req-0001",
        "challenge": login_challenge,
        "userID": "alice",
        "domain": "demo",
        "serialNumber": SERIAL,
        "protection": "pin",
        "expires": 1700000060.0,
        "title": "Transaction Request",
        "subject": "Tap here to confirm transaction",
        "context": {"clientIP": "192.0.2.10", "time": 1700000000.0},
    }
    response: dict[str, Any] = {
        "v": 1,
        "requestID": "req-0001",
        "challenge": login_challenge,
        "decision": "accept",
        "protection": "pin",
        "time": 1700000012.5,
    }
    response["signature"] = signature(bytes.fromhex(act_keys["instance_pin"]), response)
    request_nonce, response_nonce = fixed("request nonce", 8), fixed("response nonce", 8)
    key = bytes.fromhex
    login = {
        "request_body": compact(request).decode("utf-8"),
        "request_nonce": request_nonce.hex(),
        "request_message": seal(
            3,
            0x01,
            SERIAL,
            request_nonce,
            compact(request),
            key(act_keys["server_to_device_enc"]),
            key(act_keys["server_to_device_mac"]),
        ),
        "response_body": compact(response).decode("utf-8"),
        "response_nonce": response_nonce.hex(),
        "response_message": seal(
            4,
            0x01,
            SERIAL,
            response_nonce,
            compact(response),
            key(act_keys["device_to_server_enc"]),
            key(act_keys["device_to_server_mac"]),
        ),
    }

    document = {
        "description": "PushSim Secure Channel v1 known-answer vectors; see docs/protocol.md. "
        "All byte values are lowercase hex. Generated by tests/vectors/make_vectors.py.",
        "secure_channel": channel_vectors(),
        "key_derivation": key_derivation,
        "signatures": signatures,
        "activation": activation,
        "login": login,
    }
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if "--check" in sys.argv[1:]:
        return 0 if OUT.exists() and OUT.read_text("utf-8") == text else 1
    OUT.write_text(text, "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
