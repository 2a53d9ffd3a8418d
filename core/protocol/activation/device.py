"""The phone's side of activation: read message 1, compute the device code, check message 2."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from core.protocol.activation.common import (
    MESSAGE1_CORRUPTED,
    MESSAGE2_NOT_AUTHENTIC,
    MESSAGE2_NOT_OURS,
    ActivationOffer,
    DeviceActivationState,
    _activation_fields,
    _body,
    _code_mac,
    _grouped,
    _is_step,
    _secrets,
    normalise_activation_password,
)
from core.protocol.errors import ActivationError, SecureChannelError
from core.protocol.keys import (
    AuthenticatorKeys,
    UnlockProtection,
    activation_integrity_keys,
    derive_authenticator_keys,
)
from core.protocol.secure_channel import (
    peek_header,
)
from core.protocol.signature import compute_signature


def read_activation_message1(message1: str) -> ActivationOffer:
    """Check a scanned message 1 and extract the offer; raises ``ActivationError``."""
    try:
        serial = peek_header(message1).serial
    except SecureChannelError:
        raise ActivationError(MESSAGE1_CORRUPTED) from None
    body = _body(message1, activation_integrity_keys(serial), serial, MESSAGE1_CORRUPTED)
    if not _is_step(body, 1, serial):
        raise ActivationError(MESSAGE1_CORRUPTED)
    try:
        return ActivationOffer.from_dict(body)
    except (KeyError, TypeError, ValueError):
        raise ActivationError(MESSAGE1_CORRUPTED) from None


def compute_device_code(state: DeviceActivationState) -> str:
    """The code the phone shows: base32(D || MAC), groups of 4 joined by dashes."""
    offer = state.offer
    reason = "activation message 1 carries an invalid server key"
    derived = _secrets(
        state.device_private, offer.server_public, offer, state.activation_password, reason
    )
    raw = state.device_public + _code_mac(
        derived.password_key, state.device_public, offer.registration_id
    )
    return _grouped(base64.b32encode(raw).decode("ascii"))


def begin_device_activation(
    offer: ActivationOffer, activation_password: str
) -> tuple[DeviceActivationState, str]:
    """New device key pair; returns the state to keep and the device code to show."""
    normalise_activation_password(activation_password)  # empty -> ActivationError now
    private = X25519PrivateKey.generate()
    state = DeviceActivationState(
        offer=offer,
        device_private=private.private_bytes_raw(),
        device_public=private.public_key().public_bytes_raw(),
        activation_password=activation_password,
    )
    return state, compute_device_code(state)


def finish_device_activation(state: DeviceActivationState, message2: str) -> AuthenticatorKeys:
    """Verify message 2 (proves the server knew the password) and derive the keys."""
    offer = state.offer
    try:
        peek_header(message2)  # cheap framing check before the key agreement
    except SecureChannelError:
        raise ActivationError(MESSAGE2_NOT_AUTHENTIC) from None
    derived = _secrets(
        state.device_private,
        offer.server_public,
        offer,
        state.activation_password,
        MESSAGE2_NOT_AUTHENTIC,
    )
    body = _body(message2, derived.message2_keys, offer.serial, MESSAGE2_NOT_AUTHENTIC)
    if not _is_step(body, 2, offer.serial) or body.get("registrationID") != offer.registration_id:
        raise ActivationError(MESSAGE2_NOT_OURS)
    return derive_authenticator_keys(
        activation_secret=derived.activation_secret, salt=offer.salt, serial=offer.serial
    )


def activation_signature(keys: AuthenticatorKeys, registration_id: str) -> str:
    """Signature for ``POST /v1/registrations/{id}/activate`` (device instance key)."""
    device_key = keys.instance_keys[UnlockProtection.DEVICE]
    return compute_signature(device_key, _activation_fields(registration_id))
