"""Two-step offline activation: a device side and a server side run against each other."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

from core.protocol.activation import (
    MALFORMED_DEVICE_CODE,
    MESSAGE1_CORRUPTED,
    MESSAGE2_NOT_AUTHENTIC,
    PASSWORD_ALPHABET,
    WRONG_PASSWORD_OR_CODE,
    ActivationOffer,
    DeviceActivationState,
    ServerActivationState,
    accept_device_code,
    activation_signature,
    begin_device_activation,
    compute_device_code,
    finish_device_activation,
    generate_activation_password,
    generate_serial,
    normalise_activation_password,
    read_activation_message1,
    start_server_activation,
    verify_activation_signature,
)
from core.protocol.errors import ActivationError
from core.protocol.keys import UnlockProtection
from core.protocol.secure_channel import MessageType, Protection, open_message, peek_header, seal

PASSWORD = "ABCD-EFGH-JKLM"


def _start(password: str = PASSWORD) -> tuple[ServerActivationState, str]:
    return start_server_activation(
        serial="PS12345678",
        user_id="alice",
        domain="demo",
        registration_id="reg-1",
        activation_password=password,
    )


def test_generated_serials_and_passwords() -> None:
    serials = {generate_serial() for _ in range(50)}
    assert len(serials) == 50
    assert all(re.fullmatch(r"PS\d{8}", s) for s in serials)
    password = generate_activation_password()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", password)
    assert all(c in PASSWORD_ALPHABET for c in password.replace("-", ""))
    assert len({generate_activation_password() for _ in range(50)}) == 50


def test_password_normalisation_ignores_dashes_spaces_and_case() -> None:
    assert normalise_activation_password(" abcd-efgh jklm ") == "ABCDEFGHJKLM"
    with pytest.raises(ActivationError, match="empty"):
        normalise_activation_password(" - ")
    with pytest.raises(ActivationError, match="cannot contain"):
        normalise_activation_password("ABCD-EFGH-JKLß")


def test_both_sides_derive_identical_keys() -> None:
    server_state, message1 = _start()
    offer = read_activation_message1(message1)
    assert offer == server_state.offer
    device_state, device_code = begin_device_activation(offer, "abcd efgh jklm")
    server_keys, message2 = accept_device_code(server_state, device_code.lower())
    device_keys = finish_device_activation(device_state, message2)
    assert server_keys == device_keys
    assert server_keys.serial == "PS12345678"
    # ... and the keys work: a request sealed by the core opens on the phone.
    request = seal(
        type=MessageType.REQUEST,
        protection=Protection.ENCRYPT_AND_MAC,
        serial="PS12345678",
        body=b"{}",
        keys=server_keys.server_to_device,
    )
    assert open_message(request, keys=device_keys.server_to_device).body == b"{}"
    # The activate call's signature.
    signature = activation_signature(device_keys, "reg-1")
    assert verify_activation_signature(server_keys, "reg-1", signature)
    assert not verify_activation_signature(server_keys, "reg-2", signature)


def test_messages_are_activation_type_with_mac_only_protection() -> None:
    server_state, message1 = _start()
    _device_state, code = begin_device_activation(server_state.offer, PASSWORD)
    _, message2 = accept_device_code(server_state, code)
    for message in (message1, message2):
        header = peek_header(message)
        assert header.type is MessageType.ACTIVATION
        assert header.protection is Protection.MAC_ONLY


def test_device_code_format() -> None:
    server_state, _ = _start()
    state, code = begin_device_activation(server_state.offer, PASSWORD)
    assert re.fullmatch(r"([A-Z2-7]{4}-){15}[A-Z2-7]{4}", code)
    assert compute_device_code(state) == code  # a phone can show it again after a restart


def test_wrong_password_is_refused_with_a_clear_reason() -> None:
    server_state, message1 = _start()
    _device_state, code = begin_device_activation(
        read_activation_message1(message1), "WRONGPASSWRD"
    )
    with pytest.raises(ActivationError) as info:
        accept_device_code(server_state, code)
    assert info.value.reason == WRONG_PASSWORD_OR_CODE
    assert str(info.value) == "wrong activation password or mistyped device code"
    assert info.value.http_status == 400


def test_wrong_password_yields_different_keys() -> None:
    # If the server skipped the device-code check, the keys would still not match.
    server_state, _ = _start()
    _device_state, _code = begin_device_activation(server_state.offer, "WRONGPASSWRD")
    honest_state, honest_code = begin_device_activation(server_state.offer, PASSWORD)
    server_keys, message2 = accept_device_code(server_state, honest_code)
    assert finish_device_activation(honest_state, message2) == server_keys
    wrong = dataclasses.replace(honest_state, activation_password="WRONGPASSWRD")
    with pytest.raises(ActivationError):
        finish_device_activation(wrong, message2)


def test_one_mistyped_character_is_refused() -> None:
    server_state, _ = _start()
    _, code = begin_device_activation(server_state.offer, PASSWORD)
    for position in (0, 30, len(code) - 1):  # in the public key and in the MAC
        typo = "B" if code[position] != "B" else "C"
        mistyped = code[:position] + typo + code[position + 1 :]
        with pytest.raises(ActivationError, match=WRONG_PASSWORD_OR_CODE):
            accept_device_code(server_state, mistyped)


@pytest.mark.parametrize("bad", ["", "ABCD", "A" * 65, "8" * 64, "É" * 64, "A" * 1000])
def test_malformed_device_codes(bad: str) -> None:
    server_state, _ = _start()
    with pytest.raises(ActivationError) as info:
        accept_device_code(server_state, bad)
    assert info.value.reason == MALFORMED_DEVICE_CODE


def test_typed_zero_and_one_read_as_o_and_i() -> None:
    server_state, _ = _start()
    _, code = begin_device_activation(server_state.offer, PASSWORD)
    retyped = code.replace("O", "0").replace("I", "1").replace("-", " ")
    accept_device_code(server_state, retyped)


def test_low_order_device_key_is_refused() -> None:
    server_state, _ = _start()
    _, code = begin_device_activation(server_state.offer, PASSWORD)
    zero_key_code = "A" * 52 + code.replace("-", "")[52:]  # 32 zero bytes + some MAC
    with pytest.raises(ActivationError):
        accept_device_code(server_state, zero_key_code)


def test_message2_from_a_server_without_the_password_is_refused() -> None:
    server_state, message1 = _start()
    device_state, _code = begin_device_activation(read_activation_message1(message1), PASSWORD)
    # An impostor with the same ephemeral key but another password (it does
    # not know the real one) accepts any code and answers.
    impostor = dataclasses.replace(server_state, activation_password="ZZZZ-ZZZZ-ZZZZ")
    impostor_code = compute_device_code(
        dataclasses.replace(device_state, activation_password="ZZZZZZZZZZZZ")
    )
    _, forged_message2 = accept_device_code(impostor, impostor_code)
    with pytest.raises(ActivationError) as info:
        finish_device_activation(device_state, forged_message2)
    assert info.value.reason == MESSAGE2_NOT_AUTHENTIC


def test_message2_of_another_activation_is_refused() -> None:
    server_a, _ = _start()
    server_b, _ = _start()
    device_a, _code_a = begin_device_activation(server_a.offer, PASSWORD)
    _device_b, code_b = begin_device_activation(server_b.offer, PASSWORD)
    _, message2_b = accept_device_code(server_b, code_b)
    with pytest.raises(ActivationError):
        finish_device_activation(device_a, message2_b)


def test_tampered_message2_is_refused() -> None:
    server_state, _ = _start()
    device_state, code = begin_device_activation(server_state.offer, PASSWORD)
    _, message2 = accept_device_code(server_state, code)
    raw = bytearray.fromhex(message2)
    for position in range(len(raw)):
        tampered = bytearray(raw)
        tampered[position] ^= 0x04
        with pytest.raises(ActivationError):
            finish_device_activation(device_state, tampered.hex())


def test_corrupted_message1_is_refused() -> None:
    _, message1 = _start()
    raw = bytearray.fromhex(message1)
    for position in range(0, len(raw), 7):
        tampered = bytearray(raw)
        tampered[position] ^= 0x10
        with pytest.raises(ActivationError) as info:
            read_activation_message1(tampered.hex())
        assert info.value.reason == MESSAGE1_CORRUPTED
    with pytest.raises(ActivationError):
        read_activation_message1("not a message")


def test_message1_with_a_body_of_the_wrong_shape_is_refused() -> None:
    _state, message1 = _start()
    from core.protocol.keys import activation_integrity_keys

    good = json.loads(open_message(message1, keys=activation_integrity_keys("PS12345678")).body)
    for change in ({"step": 2}, {"v": True}, {"serialNumber": "PS00000000"}, {"salt": "00"}):
        body = json.dumps({**good, **change}).encode()
        forged = seal(
            type=MessageType.ACTIVATION,
            protection=Protection.MAC_ONLY,
            serial="PS12345678",
            body=body,
            keys=activation_integrity_keys("PS12345678"),
        )
        with pytest.raises(ActivationError):
            read_activation_message1(forged)


def test_states_round_trip_through_dicts_without_leaking_in_repr() -> None:
    server_state, _ = _start()
    device_state, _ = begin_device_activation(server_state.offer, PASSWORD)
    assert ServerActivationState.from_dict(server_state.to_dict()) == server_state
    assert DeviceActivationState.from_dict(device_state.to_dict()) == device_state
    assert ActivationOffer.from_dict(server_state.offer.to_dict()) == server_state.offer
    assert server_state.server_private.hex() not in repr(server_state)
    assert PASSWORD not in repr(server_state)
    assert PASSWORD not in repr(device_state)
    assert device_state.device_private.hex() not in repr(device_state)


def test_states_cannot_be_built_inconsistent() -> None:
    server_state, _ = _start()
    device_state, _ = begin_device_activation(server_state.offer, PASSWORD)
    with pytest.raises(ValueError, match="does not match"):
        dataclasses.replace(server_state, server_private=bytes(range(32)))
    with pytest.raises(ValueError, match="does not match"):
        dataclasses.replace(device_state, device_public=bytes(32))
    with pytest.raises(ValueError, match="salt"):
        dataclasses.replace(server_state.offer, salt=bytes(8))
    with pytest.raises(ActivationError):
        begin_device_activation(server_state.offer, "")


def test_device_keys_use_the_device_instance_key_for_activation() -> None:
    server_state, _ = _start()
    _device_state, code = begin_device_activation(server_state.offer, PASSWORD)
    keys, _ = accept_device_code(server_state, code)
    pin_signed = activation_signature(
        dataclasses.replace(
            keys,
            instance_keys={
                **keys.instance_keys,
                UnlockProtection.DEVICE: keys.instance_keys[UnlockProtection.PIN],
            },
        ),
        "reg-1",
    )
    assert not verify_activation_signature(keys, "reg-1", pin_signed)
