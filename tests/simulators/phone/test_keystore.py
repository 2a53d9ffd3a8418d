"""Keystore: keys wrapped at rest, the PIN really bound to the PIN key."""

from __future__ import annotations

import json
import secrets
import stat
from pathlib import Path

import pytest

from core.protocol.keys import AuthenticatorKeys, UnlockProtection, derive_authenticator_keys
from simulators.phone.fingerprint import FingerprintSensor
from simulators.phone.keystore import (
    KdfParams,
    Keystore,
    KeystoreError,
    change_pin,
    create_keystore,
    open_fingerprint_key,
    open_pin_key,
    validate_pin,
)
from simulators.phone.storage import PhoneStorage, StorageCorrupt, validate_phone_name
from tests.simulators.phone.conftest import TEST_KDF

SERIAL = "PS12345678"


def keys() -> AuthenticatorKeys:
    return derive_authenticator_keys(
        activation_secret=secrets.token_bytes(32), salt=secrets.token_bytes(16), serial=SERIAL
    )


async def test_round_trip_through_storage_releases_the_same_keys(tmp_path: Path) -> None:
    authenticator = keys()
    sensor = FingerprintSensor(enrolled=("right-index",))
    keystore = await create_keystore(authenticator, pin="1234", kdf=TEST_KDF, sensor=sensor)
    storage = PhoneStorage(tmp_path / "phones" / "p.json")
    storage.save({"keystore": keystore.to_dict(), "sensor": sensor.to_dict()})

    record = PhoneStorage(storage.path).load()  # a new object: a reload from disk
    assert record is not None
    reloaded = Keystore.from_dict(record["keystore"])
    sensor2 = FingerprintSensor.from_dict(record["sensor"])

    assert reloaded == keystore
    assert reloaded.device_key == authenticator.instance_keys[UnlockProtection.DEVICE]
    assert reloaded.server_to_device == authenticator.server_to_device
    assert reloaded.device_to_server == authenticator.device_to_server
    assert await open_pin_key(reloaded, "1234") == authenticator.instance_keys[UnlockProtection.PIN]
    match = sensor2.touch("right-index")
    assert (
        open_fingerprint_key(reloaded, match)
        == (authenticator.instance_keys[UnlockProtection.FINGERPRINT])
    )


async def test_secrets_at_rest_are_wrapped_and_the_file_is_owner_only(tmp_path: Path) -> None:
    authenticator = keys()
    keystore = await create_keystore(
        authenticator, pin="1234", kdf=TEST_KDF, sensor=FingerprintSensor()
    )
    storage = PhoneStorage(tmp_path / "phones" / "p.json")
    storage.save({"keystore": keystore.to_dict()})
    text = storage.path.read_text()

    assert stat.S_IMODE(storage.path.stat().st_mode) == 0o600
    assert authenticator.instance_keys[UnlockProtection.PIN].hex() not in text
    assert authenticator.instance_keys[UnlockProtection.FINGERPRINT].hex() not in text
    # the PIN is nowhere in clear: no stored value is it or holds it, apart from
    # hex ciphertext and salts, whose digits may spell "1234" by chance
    stored = [str(v) for v in json.loads(text)["keystore"]["pinKey"].values()]
    assert stored
    assert all("1234" not in v for v in stored if not _is_hex(v))
    assert "1234" not in stored
    assert not list(storage.path.parent.glob("*.tmp"))  # atomic write left nothing behind


async def test_wrong_pin_fails_to_decrypt() -> None:
    keystore = await create_keystore(keys(), pin="1234", kdf=TEST_KDF, sensor=FingerprintSensor())
    assert await open_pin_key(keystore, "1235") is None
    assert await open_pin_key(keystore, "12340") is None


async def test_another_sensor_cannot_release_the_fingerprint_key() -> None:
    keystore = await create_keystore(
        keys(), pin="1234", kdf=TEST_KDF, sensor=FingerprintSensor(enrolled=("left-thumb",))
    )
    stranger = FingerprintSensor(enrolled=("left-thumb",))
    with pytest.raises(KeystoreError):
        open_fingerprint_key(keystore, stranger.touch("left-thumb"))


async def test_change_pin_rewraps_and_needs_the_old_pin() -> None:
    authenticator = keys()
    keystore = await create_keystore(
        authenticator, pin="1234", kdf=TEST_KDF, sensor=FingerprintSensor()
    )
    assert await change_pin(keystore, old_pin="9999", new_pin="5678") is None
    changed = await change_pin(keystore, old_pin="1234", new_pin="5678")
    assert changed is not None
    assert await open_pin_key(changed, "1234") is None
    assert await open_pin_key(changed, "5678") == authenticator.instance_keys[UnlockProtection.PIN]


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", "", "１２３４", " 1234"])
def test_pin_format_is_4_to_8_ascii_digits(pin: str) -> None:
    with pytest.raises(ValueError, match="4-8 digits") as info:
        validate_pin(pin)
    if pin.strip():
        assert pin not in str(info.value)


def test_kdf_params_are_checked() -> None:
    with pytest.raises(ValueError, match="power of two"):
        KdfParams(n=1000)
    assert KdfParams.from_dict(TEST_KDF.to_dict()) == TEST_KDF


def test_storage_refuses_foreign_files_and_bad_names(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"not": "a phone"}')
    with pytest.raises(StorageCorrupt):
        PhoneStorage(path).load()
    path.write_text("{")
    with pytest.raises(StorageCorrupt):
        PhoneStorage(path).load()
    assert PhoneStorage(tmp_path / "none.json").load() is None
    for bad in ("../evil", "", "a/b", ".hidden"):
        with pytest.raises(ValueError, match="phone name"):
            validate_phone_name(bad)


def _is_hex(value: str) -> bool:
    return all(c in "0123456789abcdef" for c in value.lower())
