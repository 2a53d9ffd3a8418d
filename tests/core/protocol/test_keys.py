"""Key schedule: derivation, storage round trip, and which unlock satisfies which."""

from __future__ import annotations

import itertools

import pytest

from core.protocol.keys import (
    AuthenticatorKeys,
    UnlockProtection,
    activation_integrity_keys,
    derive_activation_secrets,
    derive_authenticator_keys,
    satisfies,
)

SECRET = bytes(range(32))
SALT = bytes(range(100, 116))
SERIAL = "PS12345678"


def _keys(**kw: object) -> AuthenticatorKeys:
    args: dict[str, object] = {"activation_secret": SECRET, "salt": SALT, "serial": SERIAL}
    args.update(kw)
    return derive_authenticator_keys(**args)  # type: ignore[arg-type]


def test_derivation_is_deterministic_and_all_keys_differ() -> None:
    keys = _keys()
    assert keys == _keys()
    material = [
        keys.server_to_device.enc_key,
        keys.server_to_device.mac_key,
        keys.device_to_server.enc_key,
        keys.device_to_server.mac_key,
        *keys.instance_keys.values(),
    ]
    assert [len(k) for k in material] == [16, 32, 16, 32, 32, 32, 32]
    assert len(set(material)) == len(material)  # per direction and per protection


@pytest.mark.parametrize(
    "change",
    [
        {"activation_secret": bytes(range(1, 33))},
        {"salt": bytes(16)},
        {"serial": "PS12345679"},
    ],
)
def test_every_input_changes_every_key(change: dict[str, object]) -> None:
    a, b = _keys().to_dict(), _keys(**change).to_dict()
    assert all(a[name] != b[name] for name in a if name != "serial")


def test_to_dict_round_trip_and_no_keys_in_repr() -> None:
    keys = _keys()
    stored = keys.to_dict()
    assert set(stored) == {
        "serial",
        "server_to_device_enc",
        "server_to_device_mac",
        "device_to_server_enc",
        "device_to_server_mac",
        "instance_device",
        "instance_pin",
        "instance_fingerprint",
    }
    assert AuthenticatorKeys.from_dict(stored) == keys
    assert stored["instance_pin"] not in repr(keys)


def test_from_dict_refuses_malformed_data() -> None:
    stored = _keys().to_dict()
    for broken in (
        {k: v for k, v in stored.items() if k != "instance_pin"},
        {**stored, "instance_pin": "00"},
        {**stored, "server_to_device_enc": "zz"},
        {**stored, "serial": "short"},
    ):
        with pytest.raises(ValueError, match=r"malformed|non-hexadecimal|bytes|serial"):
            AuthenticatorKeys.from_dict(broken)


def test_instance_keys_are_read_only() -> None:
    keys = _keys()
    with pytest.raises(TypeError):
        keys.instance_keys[UnlockProtection.PIN] = bytes(32)  # type: ignore[index]


def test_construction_requires_every_protection() -> None:
    keys = _keys()
    with pytest.raises(ValueError, match="one instance key per"):
        AuthenticatorKeys(
            serial=SERIAL,
            server_to_device=keys.server_to_device,
            device_to_server=keys.device_to_server,
            instance_keys={UnlockProtection.DEVICE: bytes(32)},
        )


def test_local_misuse() -> None:
    with pytest.raises(ValueError, match="too short"):
        _keys(activation_secret=b"short")
    with pytest.raises(ValueError, match="serial"):
        _keys(serial="bad serial")
    with pytest.raises(TypeError):
        _keys(salt="salt")


def test_satisfies_table() -> None:
    device, pin, finger = (
        UnlockProtection.DEVICE,
        UnlockProtection.PIN,
        UnlockProtection.FINGERPRINT,
    )
    expected = {
        (device, device): True,
        (pin, device): True,
        (finger, device): True,
        (device, pin): False,  # a PIN login cannot be approved with NoPIN
        (pin, pin): True,
        (finger, pin): False,
        (device, finger): False,
        (pin, finger): True,  # PIN is the fallback after a biometric lockout
        (finger, finger): True,
    }
    for used, required in itertools.product(UnlockProtection, repeat=2):
        assert satisfies(used, required) is expected[(used, required)], (used, required)


def test_activation_secrets_depend_on_the_password() -> None:
    z = bytes(range(32))
    a = derive_activation_secrets(shared_secret=z, salt=SALT, password=b"ABCDEFGHJKLM")
    b = derive_activation_secrets(shared_secret=z, salt=SALT, password=b"ABCDEFGHJKLN")
    assert a.password_key != b.password_key
    assert a.message2_keys.mac_key != b.message2_keys.mac_key
    assert a.activation_secret != b.activation_secret
    assert len({a.password_key, a.message2_keys.mac_key, a.activation_secret}) == 3


def test_integrity_keys_depend_only_on_the_serial() -> None:
    assert activation_integrity_keys(SERIAL) == activation_integrity_keys(SERIAL)
    assert activation_integrity_keys(SERIAL) != activation_integrity_keys("PS00000000")
