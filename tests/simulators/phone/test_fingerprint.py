"""The simulated fingerprint sensor."""

from __future__ import annotations

import pytest

from simulators.phone.errors import BiometricLockout, FingerMismatch, NoFingerEnrolled
from simulators.phone.fingerprint import FingerprintSensor


def test_enrolled_finger_matches_and_unknown_finger_counts() -> None:
    changes: list[int] = []
    sensor = FingerprintSensor(enrolled=("right-index",), on_change=lambda: changes.append(1))
    assert sensor.touch("right-index").finger == "right-index"
    with pytest.raises(FingerMismatch) as info:
        sensor.touch("left-thumb")
    assert info.value.remaining == 4
    assert sensor.mismatches == 1
    assert changes  # persisted
    sensor.touch("right-index")
    assert sensor.mismatches == 0


def test_five_mismatches_lock_biometrics_until_reset() -> None:
    sensor = FingerprintSensor(enrolled=("right-index",))
    for _ in range(4):
        with pytest.raises(FingerMismatch):
            sensor.touch("left-thumb")
    with pytest.raises(BiometricLockout):
        sensor.touch("left-thumb")
    assert sensor.locked_out
    assert not sensor.available
    with pytest.raises(BiometricLockout):  # even the right finger
        sensor.touch("right-index")
    sensor.reset_lockout()
    assert sensor.touch("right-index").finger == "right-index"


def test_no_finger_enrolled() -> None:
    sensor = FingerprintSensor()
    assert not sensor.available
    with pytest.raises(NoFingerEnrolled):
        sensor.touch("right-index")
    sensor.enroll("left-thumb")
    assert sensor.enrolled == ("left-thumb",)
    sensor.remove("left-thumb")
    assert not sensor.has_enrolled_finger


def test_state_survives_a_reload() -> None:
    sensor = FingerprintSensor(enrolled=("right-index", "left-thumb"))
    with pytest.raises(FingerMismatch):
        sensor.touch("right-ring")
    reloaded = FingerprintSensor.from_dict(sensor.to_dict())
    assert reloaded.enrolled == ("right-index", "left-thumb")
    assert reloaded.mismatches == 1
    nonce, sealed = sensor.seal(b"secret", b"aad")
    assert reloaded.touch("left-thumb").open(nonce, sealed, b"aad") == b"secret"


def test_finger_names_are_labels() -> None:
    with pytest.raises(ValueError, match="finger name"):
        FingerprintSensor(enrolled=("Right Index",))
