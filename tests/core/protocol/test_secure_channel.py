"""Secure Channel v1 framing: round trips, tampering, downgrades, replays."""

from __future__ import annotations

import pytest

from core.protocol.errors import SecureChannelError
from core.protocol.secure_channel import (
    HEADER_LENGTH,
    MAX_MESSAGE_LENGTH,
    TAG_LENGTH,
    ChannelKeys,
    MessageType,
    NonceRegistry,
    Protection,
    SecureChannelHeader,
    SecureChannelMessage,
    is_valid_serial,
    open_message,
    peek_header,
    seal,
)

KEYS = ChannelKeys(enc_key=bytes(range(16)), mac_key=bytes(range(32, 64)))
OTHER_KEYS = ChannelKeys(enc_key=bytes(range(1, 17)), mac_key=bytes(range(33, 65)))
SERIAL = "PS12345678"
BODY = b'{"v":1,"requestID":"r-1","challenge":"00112233445566778899aabbccddeeff"}'
NONCE = bytes.fromhex("0102030405060708")


def _seal(protection: Protection = Protection.ENCRYPT_AND_MAC, **kw: object) -> str:
    args: dict[str, object] = {
        "type": MessageType.REQUEST,
        "protection": protection,
        "serial": SERIAL,
        "body": BODY,
        "keys": KEYS,
        "nonce": NONCE,
    }
    args.update(kw)
    return seal(**args)  # type: ignore[arg-type]


@pytest.mark.parametrize("protection", [Protection.ENCRYPT_AND_MAC, Protection.MAC_ONLY])
def test_round_trip(protection: Protection) -> None:
    message = _seal(protection)
    opened = open_message(message, keys=KEYS, expected_type=MessageType.REQUEST)
    assert opened == SecureChannelMessage(
        type=MessageType.REQUEST, protection=protection, serial=SERIAL, nonce=NONCE, body=BODY
    )
    assert opened.header == SecureChannelHeader(
        type=MessageType.REQUEST, protection=protection, serial=SERIAL, nonce=NONCE
    )


def test_layout_of_each_protection() -> None:
    encrypted = bytes.fromhex(_seal(Protection.ENCRYPT_AND_MAC))
    mac_only = bytes.fromhex(_seal(Protection.MAC_ONLY))
    plain = bytes.fromhex(_seal(Protection.NONE, keys=None))
    assert encrypted[:3] == b"\x01\x03\x01"
    assert encrypted[3:13] == SERIAL.encode()
    assert encrypted[13:21] == NONCE
    assert len(encrypted) == len(mac_only) == HEADER_LENGTH + len(BODY) + TAG_LENGTH
    assert encrypted[HEADER_LENGTH:-TAG_LENGTH] != BODY  # really encrypted
    assert mac_only[HEADER_LENGTH:-TAG_LENGTH] == BODY  # MAC only: plaintext body
    assert plain == b"\x01\x03\x00" + SERIAL.encode() + NONCE + BODY  # no tag at all


def test_seal_output_is_lowercase_hex_and_open_accepts_any_case_and_bytes() -> None:
    message = _seal()
    assert message == message.lower()
    assert open_message(message.upper(), keys=KEYS).body == BODY
    assert open_message(bytes.fromhex(message), keys=KEYS).body == BODY


def test_random_nonces_are_fresh() -> None:
    nonces = {peek_header(_seal(nonce=None)).nonce for _ in range(200)}
    assert len(nonces) == 200


def test_every_single_byte_change_is_refused() -> None:
    """Changing any byte of header, ciphertext or tag makes the message unopenable."""
    for protection in (Protection.ENCRYPT_AND_MAC, Protection.MAC_ONLY):
        raw = bytes.fromhex(_seal(protection))
        for i in range(len(raw)):
            for flip in (0x01, 0x80, 0xFF):
                tampered = bytearray(raw)
                tampered[i] ^= flip
                with pytest.raises(SecureChannelError) as info:
                    open_message(bytes(tampered), keys=KEYS)
                assert str(info.value) == "secure channel message rejected"


def test_truncated_or_extended_messages_are_refused() -> None:
    raw = bytes.fromhex(_seal())
    for cut in range(len(raw)):
        with pytest.raises(SecureChannelError):
            open_message(raw[:cut], keys=KEYS)
    with pytest.raises(SecureChannelError):
        open_message(raw + b"\x00", keys=KEYS)


def test_wrong_keys_and_wrong_type_are_refused() -> None:
    message = _seal()
    with pytest.raises(SecureChannelError):
        open_message(message, keys=OTHER_KEYS)
    with pytest.raises(SecureChannelError):
        open_message(message, keys=KEYS, expected_type=MessageType.RESPONSE)
    with pytest.raises(SecureChannelError):
        open_message(message, keys=None)


def test_tag_is_checked_before_decryption(monkeypatch: pytest.MonkeyPatch) -> None:
    import core.protocol.secure_channel as sc

    good = _seal()
    forged = bytearray.fromhex(good)
    forged[-1] ^= 1
    calls: list[bytes] = []
    real_ctr = sc._ctr

    def spy(enc_key: bytes, nonce: bytes, data: bytes) -> bytes:
        calls.append(data)
        return real_ctr(enc_key, nonce, data)

    monkeypatch.setattr(sc, "_ctr", spy)
    with pytest.raises(SecureChannelError):
        open_message(bytes(forged), keys=KEYS)
    assert calls == []  # a forged message is never decrypted
    open_message(good, keys=KEYS)
    assert len(calls) == 1


def test_unprotected_message_is_refused_unless_allowed() -> None:
    message = _seal(Protection.NONE, keys=None)
    with pytest.raises(SecureChannelError):
        open_message(message, keys=KEYS)  # a downgrade never passes silently
    opened = open_message(message, keys=None, allow_unprotected=True)
    assert opened.body == BODY
    assert opened.protection is Protection.NONE


def test_downgrade_by_rewriting_the_protection_byte_is_refused() -> None:
    raw = bytearray.fromhex(_seal(Protection.ENCRYPT_AND_MAC))
    raw[2] = Protection.MAC_ONLY
    with pytest.raises(SecureChannelError):
        open_message(bytes(raw), keys=KEYS)
    raw[2] = Protection.NONE
    with pytest.raises(SecureChannelError):
        open_message(bytes(raw[:-TAG_LENGTH]), keys=KEYS)


@pytest.mark.parametrize(
    "message",
    ["", "0", "zz" * 40, "01 03", " " + "00" * 40, "0x" + "00" * 40, "ａ" * 60],
)
def test_malformed_text_is_refused(message: str) -> None:
    with pytest.raises(SecureChannelError):
        open_message(message, keys=KEYS)
    with pytest.raises(SecureChannelError):
        peek_header(message)


def test_oversized_message_is_refused_before_parsing() -> None:
    with pytest.raises(SecureChannelError):
        open_message(b"\x01" * (MAX_MESSAGE_LENGTH + 1), keys=KEYS)
    with pytest.raises(ValueError, match="too large"):
        _seal(body=bytes(MAX_MESSAGE_LENGTH))


def test_non_text_input_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        open_message(12345, keys=KEYS)  # type: ignore[arg-type]


def test_peek_header_reads_without_keys_and_checks_structure() -> None:
    header = peek_header(_seal())
    assert header.serial == SERIAL
    assert header.type is MessageType.REQUEST
    assert header.protection is Protection.ENCRYPT_AND_MAC
    assert header.nonce == NONCE
    raw = bytearray.fromhex(_seal())
    for index, bad in ((0, 0x02), (1, 0x09), (2, 0x02), (3, 0x00), (5, ord("-"))):
        broken = bytearray(raw)
        broken[index] = bad
        with pytest.raises(SecureChannelError):
            peek_header(bytes(broken))
    with pytest.raises(SecureChannelError):  # protected but too short to carry a tag
        peek_header(bytes(raw[: HEADER_LENGTH + 3]))


def test_local_misuse_raises_value_or_type_errors() -> None:
    with pytest.raises(ValueError, match="keys are required"):
        _seal(keys=None)
    with pytest.raises(ValueError, match="nonce"):
        _seal(nonce=b"short")
    with pytest.raises(ValueError, match="serial"):
        _seal(serial="PS123")
    with pytest.raises(ValueError, match="serial"):
        _seal(serial="PS-2345678")
    with pytest.raises(ValueError, match="9"):
        _seal(type=9)
    with pytest.raises(TypeError):
        _seal(body="text")
    with pytest.raises(ValueError, match="16"):
        ChannelKeys(enc_key=bytes(15), mac_key=bytes(32))
    with pytest.raises(TypeError):
        ChannelKeys(enc_key="0" * 16, mac_key=bytes(32))  # type: ignore[arg-type]


def test_channel_keys_are_not_in_repr() -> None:
    assert bytes(range(16)).hex() not in repr(KEYS)
    assert "enc_key" not in repr(KEYS)


def test_serial_rule() -> None:
    assert is_valid_serial("PS12345678")
    assert is_valid_serial("abcdEFGH09")
    for bad in ("PS1234567", "PS123456789", "PS1234567 ", "PS1234567é", None, 1234567890):
        assert not is_valid_serial(bad)


def test_nonce_registry_detects_reuse() -> None:
    registry = NonceRegistry()
    assert registry.check_and_remember(SERIAL, NONCE)
    assert not registry.check_and_remember(SERIAL, NONCE)  # the replay
    assert registry.check_and_remember("PS00000001", NONCE)  # per serial
    assert registry.check_and_remember(SERIAL, bytes(8))
    with pytest.raises(ValueError, match="8 bytes"):
        registry.check_and_remember(SERIAL, b"123")


def test_replayed_message_is_detected_through_the_registry() -> None:
    registry = NonceRegistry()
    message = _seal(nonce=None)
    opened = open_message(message, keys=KEYS)
    assert registry.check_and_remember(opened.serial, opened.nonce)
    again = open_message(message, keys=KEYS)  # the bytes still verify ...
    assert not registry.check_and_remember(again.serial, again.nonce)  # ... but it is a replay
