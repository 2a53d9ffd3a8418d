"""The code against the committed known-answer vectors (tests/vectors/secure_channel_v1.json).

The vectors come from tests/vectors/make_vectors.py, an independent minimal
implementation; they are read here, never regenerated.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from core.protocol.activation import (
    ActivationOffer,
    DeviceActivationState,
    ServerActivationState,
    accept_device_code,
    activation_signature,
    compute_device_code,
    encode_activation_message1,
    finish_device_activation,
    read_activation_message1,
)
from core.protocol.keys import (
    AuthenticatorKeys,
    UnlockProtection,
    activation_integrity_keys,
    derive_activation_secrets,
    derive_authenticator_keys,
)
from core.protocol.messages import ChallengeRequest, ChallengeResponse, Decision
from core.protocol.secure_channel import (
    ChannelKeys,
    MessageType,
    NonceRegistry,
    Protection,
    open_message,
    seal,
)
from core.protocol.session import SessionFacts, SessionStatus, validate_response
from core.protocol.signature import canonical_bytes, compute_signature, verify_signature

VECTORS: dict[str, Any] = json.loads(
    (Path(__file__).parents[2] / "vectors" / "secure_channel_v1.json").read_text("utf-8")
)
ACTIVATION = VECTORS["activation"]
LOGIN = VECTORS["login"]
h = bytes.fromhex


def test_the_file_covers_every_protection() -> None:
    protections = {case["protection"] for case in VECTORS["secure_channel"]}
    assert protections == {0x00, 0x01, 0x11}


@pytest.mark.parametrize("case", VECTORS["secure_channel"], ids=lambda c: c["name"])
def test_secure_channel_vector(case: dict[str, Any]) -> None:
    keys = ChannelKeys(enc_key=h(case["enc_key"]), mac_key=h(case["mac_key"]))
    message = seal(
        type=MessageType(case["type"]),
        protection=Protection(case["protection"]),
        serial=case["serial"],
        body=h(case["body"]),
        keys=keys,
        nonce=h(case["nonce"]),
    )
    assert message == case["message"]
    opened = open_message(case["message"], keys=keys, allow_unprotected=True)
    assert opened.body == h(case["body"])
    assert opened.nonce == h(case["nonce"])


def test_key_derivation_vector() -> None:
    vector = VECTORS["key_derivation"]
    keys = derive_authenticator_keys(
        activation_secret=h(vector["activation_secret"]),
        salt=h(vector["salt"]),
        serial=vector["serial"],
    )
    assert keys.to_dict() == vector["keys"]


@pytest.mark.parametrize("case", VECTORS["signatures"], ids=lambda c: c["name"])
def test_signature_vector(case: dict[str, Any]) -> None:
    keys = AuthenticatorKeys.from_dict(VECTORS["key_derivation"]["keys"])
    key = keys.instance_keys[UnlockProtection(case["instance_key"])]
    assert key.hex() == case["key"]
    assert canonical_bytes(case["fields"]) == case["canonical"].encode("utf-8")
    assert compute_signature(key, case["fields"]) == case["signature"]
    assert verify_signature(key, case["fields"], case["signature"])


def _offer() -> ActivationOffer:
    return ActivationOffer(
        serial=ACTIVATION["serial"],
        user_id=ACTIVATION["user_id"],
        domain=ACTIVATION["domain"],
        registration_id=ACTIVATION["registration_id"],
        server_public=h(ACTIVATION["server_public"]),
        salt=h(ACTIVATION["salt"]),
    )


def _device_state() -> DeviceActivationState:
    return DeviceActivationState(
        offer=_offer(),
        device_private=h(ACTIVATION["device_private"]),
        device_public=h(ACTIVATION["device_public"]),
        activation_password=ACTIVATION["activation_password"],
    )


def _server_state() -> ServerActivationState:
    return ServerActivationState(
        offer=_offer(),
        server_private=h(ACTIVATION["server_private"]),
        activation_password=ACTIVATION["activation_password"],
    )


def test_activation_intermediate_values() -> None:
    assert (
        activation_integrity_keys(ACTIVATION["serial"]).mac_key.hex()
        == (ACTIVATION["integrity_mac_key"])
    )
    secrets = derive_activation_secrets(
        shared_secret=h(ACTIVATION["shared_secret"]),
        salt=h(ACTIVATION["salt"]),
        password=ACTIVATION["activation_password"].replace("-", "").encode(),
    )
    assert secrets.password_key.hex() == ACTIVATION["password_key"]
    assert secrets.message2_keys.mac_key.hex() == ACTIVATION["message2_mac_key"]
    assert secrets.activation_secret.hex() == ACTIVATION["activation_secret"]


def test_activation_message1_vector() -> None:
    message1 = encode_activation_message1(_offer(), nonce=h(ACTIVATION["message1_nonce"]))
    assert message1 == ACTIVATION["message1"]
    assert read_activation_message1(ACTIVATION["message1"]) == _offer()


def test_activation_device_code_vector() -> None:
    assert compute_device_code(_device_state()) == ACTIVATION["device_code"]


def test_activation_message2_and_keys_vector() -> None:
    expected = AuthenticatorKeys.from_dict(ACTIVATION["keys"])
    assert finish_device_activation(_device_state(), ACTIVATION["message2"]) == expected
    keys, message2 = accept_device_code(_server_state(), ACTIVATION["device_code"])
    assert keys == expected
    # Message 2's nonce is random; its body and tag key are fixed.
    mac_keys = ChannelKeys(enc_key=bytes(16), mac_key=h(ACTIVATION["message2_mac_key"]))
    assert open_message(message2, keys=mac_keys).body.decode() == ACTIVATION["message2_body"]
    assert (
        activation_signature(keys, ACTIVATION["registration_id"])
        == (ACTIVATION["activate_signature"])
    )


def test_login_vector() -> None:
    keys = AuthenticatorKeys.from_dict(ACTIVATION["keys"])
    request_body = LOGIN["request_body"].encode()
    request = ChallengeRequest.from_bytes(request_body)
    assert request.to_bytes() == request_body
    assert (
        seal(
            type=MessageType.REQUEST,
            protection=Protection.ENCRYPT_AND_MAC,
            serial=keys.serial,
            body=request_body,
            keys=keys.server_to_device,
            nonce=h(LOGIN["request_nonce"]),
        )
        == LOGIN["request_message"]
    )
    response = ChallengeResponse.create(
        request=request,
        decision=Decision.ACCEPT,
        protection=UnlockProtection.PIN,
        instance_key=keys.instance_keys[UnlockProtection.PIN],
        now=1700000012.5,
    )
    assert response.to_bytes() == LOGIN["response_body"].encode()
    verdict = validate_response(
        message=LOGIN["response_message"],
        authenticator_serial=keys.serial,
        authenticator_active=True,
        keys=keys,
        session=SessionFacts(
            request_id=request.request_id,
            serial=keys.serial,
            challenge=request.challenge,
            status=SessionStatus.PENDING,
            required_protection=request.protection,
            expires=request.expires,
        ),
        nonce_is_fresh=NonceRegistry().check_and_remember,
        now=1700000013.0,
    )
    assert verdict.outcome is SessionStatus.ACCEPTED
    assert verdict.response == response
