"""The core's side of activation: message 1, the device code check, message 2."""

from __future__ import annotations

import base64
import hmac
import re
import secrets

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from core.protocol.activation.common import (
    _B32,
    _TYPO_FIXES,
    DEVICE_CODE_CHARS,
    KEY_LENGTH,
    MALFORMED_DEVICE_CODE,
    SALT_LENGTH,
    WRONG_PASSWORD_OR_CODE,
    ActivationOffer,
    ServerActivationState,
    _activation_fields,
    _code_mac,
    _seal,
    _secrets,
)
from core.protocol.errors import ActivationError
from core.protocol.keys import (
    AuthenticatorKeys,
    UnlockProtection,
    activation_integrity_keys,
    derive_authenticator_keys,
)
from core.protocol.signature import verify_signature


def encode_activation_message1(offer: ActivationOffer, *, nonce: bytes | None = None) -> str:
    """Message 1 as hex (``nonce`` only for known-answer tests)."""
    body = {"v": 1, "step": 1, **offer.to_dict()}
    return _seal(offer.serial, body, activation_integrity_keys(offer.serial), nonce)


def start_server_activation(
    *, serial: str, user_id: str, domain: str, registration_id: str, activation_password: str
) -> tuple[ServerActivationState, str]:
    """New ephemeral key and salt; returns the state to store and message 1 (hex)."""
    private = X25519PrivateKey.generate()
    offer = ActivationOffer(
        serial=serial,
        user_id=user_id,
        domain=domain,
        registration_id=registration_id,
        server_public=private.public_key().public_bytes_raw(),
        salt=secrets.token_bytes(SALT_LENGTH),
    )
    state = ServerActivationState(
        offer=offer,
        server_private=private.private_bytes_raw(),
        activation_password=activation_password,
    )
    return state, encode_activation_message1(offer)


def _decode_device_code(device_code: str) -> bytes:
    if not isinstance(device_code, str) or len(device_code) > 4 * DEVICE_CODE_CHARS:
        raise ActivationError(MALFORMED_DEVICE_CODE)
    cleaned = re.sub(r"[\s-]", "", device_code)
    if not cleaned.isascii():
        raise ActivationError(MALFORMED_DEVICE_CODE)
    cleaned = cleaned.upper().translate(_TYPO_FIXES)
    if not _B32.fullmatch(cleaned):
        raise ActivationError(MALFORMED_DEVICE_CODE)
    return base64.b32decode(cleaned)


def accept_device_code(
    state: ServerActivationState, device_code: str
) -> tuple[AuthenticatorKeys, str]:
    """Check the typed device code; returns the authenticator's keys and message 2 (hex).

    Raises ``ActivationError`` with ``WRONG_PASSWORD_OR_CODE`` when the MAC does
    not verify (the caller counts these towards the lockout) or
    ``MALFORMED_DEVICE_CODE`` when the text cannot be a device code at all.
    """
    offer = state.offer
    raw = _decode_device_code(device_code)
    device_public, mac = raw[:KEY_LENGTH], raw[KEY_LENGTH:]
    derived = _secrets(
        state.server_private,
        device_public,
        offer,
        state.activation_password,
        WRONG_PASSWORD_OR_CODE,
    )
    expected = _code_mac(derived.password_key, device_public, offer.registration_id)
    if not hmac.compare_digest(expected, mac):
        raise ActivationError(WRONG_PASSWORD_OR_CODE)
    body = {
        "v": 1,
        "step": 2,
        "serialNumber": offer.serial,
        "registrationID": offer.registration_id,
    }
    message2 = _seal(offer.serial, body, derived.message2_keys)
    keys = derive_authenticator_keys(
        activation_secret=derived.activation_secret, salt=offer.salt, serial=offer.serial
    )
    return keys, message2


def verify_activation_signature(
    keys: AuthenticatorKeys, registration_id: str, signature: str
) -> bool:
    """The ``activate`` call's proof that the phone derived the same keys."""
    device_key = keys.instance_keys[UnlockProtection.DEVICE]
    return verify_signature(device_key, _activation_fields(registration_id), signature)
