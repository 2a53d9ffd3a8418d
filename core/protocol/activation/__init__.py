"""Two-step offline activation: a password-authenticated X25519 key agreement.

The portal shows the user two things: an *activation password* (text) and
*message 1* (a QR code). The phone and the core then agree on a secret that
only holders of that password can reach::

    core                                        phone
    ----                                        -----
    ephemeral X25519 (s, S), salt
    message 1 = SC(type 1, 0x11) {serial, user,
        domain, registrationID, S, salt}   ──QR──▶  checks integrity, makes (d, D)
                                                    Z  = X25519(d, S)
                                                    pk = HKDF(Z, salt, "device-code" + pw)
                               ◀──typed──   device code = base32(D || HMAC(pk, D || regID)[:8])
    Z = X25519(s, D); checks the MAC
      (wrong password -> refused, counted)
    message 2 = SC(type 1, 0x11) {serial, regID},
      tag keyed by HKDF(Z, salt, "message-2" + pw) ──QR──▶ verifies: proves the server
    both: activation secret = HKDF(Z, salt, "activation-secret" + pw)
          keys = derive_authenticator_keys(activation secret, salt, serial)

Message 1's tag is keyed from public values (the serial): it catches a
mis-scanned QR, it does not authenticate the server - message 2 does that. An
eavesdropper who sees both QR codes and the device code still lacks Z, so it
cannot test password guesses offline; an active attacker gets one online guess
per device code, and the core locks the registration after 5 (SPEC §4).
Every info string is ``b"pushsim v1 <purpose> " + password`` with the password
normalised (dashes and whitespace removed, upper case).

The package is split by side: ``server`` is what the core runs, ``device``
what a phone runs, ``common`` what both need. Import from the package.
"""

from __future__ import annotations

from core.protocol.activation.common import (
    CODE_MAC_LENGTH,
    DEVICE_CODE_CHARS,
    KEY_LENGTH,
    MALFORMED_DEVICE_CODE,
    MESSAGE1_CORRUPTED,
    MESSAGE2_NOT_AUTHENTIC,
    MESSAGE2_NOT_OURS,
    PASSWORD_ALPHABET,
    PASSWORD_LENGTH,
    SALT_LENGTH,
    WRONG_PASSWORD_OR_CODE,
    ActivationOffer,
    DeviceActivationState,
    ServerActivationState,
    generate_activation_password,
    generate_serial,
    normalise_activation_password,
)
from core.protocol.activation.device import (
    activation_signature,
    begin_device_activation,
    compute_device_code,
    finish_device_activation,
    read_activation_message1,
)
from core.protocol.activation.server import (
    accept_device_code,
    encode_activation_message1,
    start_server_activation,
    verify_activation_signature,
)

__all__ = [
    "CODE_MAC_LENGTH",
    "DEVICE_CODE_CHARS",
    "KEY_LENGTH",
    "MALFORMED_DEVICE_CODE",
    "MESSAGE1_CORRUPTED",
    "MESSAGE2_NOT_AUTHENTIC",
    "MESSAGE2_NOT_OURS",
    "PASSWORD_ALPHABET",
    "PASSWORD_LENGTH",
    "SALT_LENGTH",
    "WRONG_PASSWORD_OR_CODE",
    "ActivationOffer",
    "DeviceActivationState",
    "ServerActivationState",
    "accept_device_code",
    "activation_signature",
    "begin_device_activation",
    "compute_device_code",
    "encode_activation_message1",
    "finish_device_activation",
    "generate_activation_password",
    "generate_serial",
    "normalise_activation_password",
    "read_activation_message1",
    "start_server_activation",
    "verify_activation_signature",
]
