"""The push-login state table and every validation check failing on its own."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import pytest

from core.protocol.errors import SessionOutdated
from core.protocol.keys import AuthenticatorKeys, UnlockProtection, derive_authenticator_keys
from core.protocol.messages import ChallengeRequest, ChallengeResponse, Decision, RequestContext
from core.protocol.secure_channel import MessageType, NonceRegistry, Protection, seal
from core.protocol.session import (
    FINAL_STATUSES,
    OUTCOME_TRIGGERS,
    TRANSITIONS,
    Check,
    SessionFacts,
    SessionStatus,
    SessionTrigger,
    Verdict,
    next_status,
    request_id_of_response,
    validate_response,
)

SERIAL = "PS12345678"
KEYS = derive_authenticator_keys(activation_secret=bytes(32), salt=bytes(16), serial=SERIAL)
OTHER = derive_authenticator_keys(activation_secret=bytes(32), salt=bytes(16), serial="PS87654321")
NOW = 1700000010.0
PIN, DEVICE, FINGER = UnlockProtection.PIN, UnlockProtection.DEVICE, UnlockProtection.FINGERPRINT


def _request(protection: UnlockProtection = PIN) -> ChallengeRequest:
    return ChallengeRequest(
        request_id="req-1",
        challenge="00112233445566778899aabbccddeeff",
        user_id="alice",
        domain="demo",
        serial=SERIAL,
        protection=protection,
        expires=NOW + 50,
        context=RequestContext(client_ip="192.0.2.10", time=NOW - 10),
    )


def _facts(**kw: Any) -> SessionFacts:
    args: dict[str, Any] = {
        "request_id": "req-1",
        "serial": SERIAL,
        "challenge": "00112233445566778899aabbccddeeff",
        "status": SessionStatus.PENDING,
        "required_protection": PIN,
        "expires": NOW + 50,
        "number": None,
    }
    args.update(kw)
    return SessionFacts(**args)


def _message(
    *,
    decision: Decision = Decision.ACCEPT,
    used: UnlockProtection = PIN,
    sign_with: UnlockProtection | None = None,
    keys: AuthenticatorKeys = KEYS,
    serial: str = SERIAL,
    protection: Protection = Protection.ENCRYPT_AND_MAC,
    request: ChallengeRequest | None = None,
    number: int | None = None,
) -> str:
    response = ChallengeResponse.create(
        request=request or _request(),
        decision=decision,
        protection=used,
        instance_key=keys.instance_keys[sign_with or used],
        now=NOW,
        number=number,
    )
    return seal(
        type=MessageType.RESPONSE,
        protection=protection,
        serial=serial,
        body=response.to_bytes(),
        keys=keys.device_to_server,
    )


def _validate(message: str, **kw: Any) -> Verdict:
    args: dict[str, Any] = {
        "message": message,
        "authenticator_serial": SERIAL,
        "authenticator_active": True,
        "keys": KEYS,
        "session": _facts(),
        "nonce_is_fresh": NonceRegistry().check_and_remember,
        "now": NOW,
    }
    args.update(kw)
    return validate_response(**args)


# --- the state table -------------------------------------------------------------------


def test_pending_goes_to_each_final_status() -> None:
    assert next_status(SessionStatus.PENDING, SessionTrigger.ACCEPT) is SessionStatus.ACCEPTED
    assert next_status(SessionStatus.PENDING, SessionTrigger.REFUSE) is SessionStatus.REFUSED
    assert next_status(SessionStatus.PENDING, SessionTrigger.EXPIRE) is SessionStatus.TIMEOUT
    assert next_status(SessionStatus.PENDING, SessionTrigger.FAIL) is SessionStatus.FAILURE
    assert set(TRANSITIONS[SessionStatus.PENDING].values()) == FINAL_STATUSES


@pytest.mark.parametrize(
    ("status", "word"),
    [
        (SessionStatus.ACCEPTED, "accepted"),
        (SessionStatus.REFUSED, "refused"),
        (SessionStatus.TIMEOUT, "expired"),
        (SessionStatus.FAILURE, "failed"),
    ],
)
def test_final_statuses_refuse_every_trigger(status: SessionStatus, word: str) -> None:
    for trigger in SessionTrigger:
        with pytest.raises(SessionOutdated) as info:
            next_status(status, trigger)
        assert str(info.value) == f"session outdated: {word}"
        assert info.value.http_status == 409


def test_exactly_once_over_every_sequence_of_triggers() -> None:
    for sequence in itertools.product(SessionTrigger, repeat=3):
        status, changes = SessionStatus.PENDING, 0
        for trigger in sequence:
            try:
                status = next_status(status, trigger)
                changes += 1
            except SessionOutdated:
                pass
        assert changes == 1
        assert status in FINAL_STATUSES


def test_outcome_triggers_invert_the_table() -> None:
    for outcome, trigger in OUTCOME_TRIGGERS.items():
        assert next_status(SessionStatus.PENDING, trigger) is outcome


# --- validation: the happy paths -------------------------------------------------------


def test_accept_runs_every_check_in_order() -> None:
    verdict = _validate(_message())
    assert verdict.outcome is SessionStatus.ACCEPTED
    assert verdict.failed is None
    assert [c.check for c in verdict.checks] == list(Check)
    assert all(c.passed for c in verdict.checks)
    assert verdict.reason == "approved with pin"
    assert verdict.http_status == 200
    assert verdict.response is not None
    assert verdict.response.request_id == "req-1"
    assert verdict.header is not None
    assert verdict.header.serial == SERIAL


def test_reject_signed_with_the_device_key_refuses() -> None:
    verdict = _validate(_message(decision=Decision.REJECT, used=DEVICE))
    assert verdict.outcome is SessionStatus.REFUSED
    assert verdict.failed is None
    assert verdict.reason == "rejected by user"


def test_fingerprint_login_can_be_approved_with_the_pin_fallback() -> None:
    session = _facts(required_protection=FINGER)
    assert _validate(_message(used=PIN), session=session).outcome is SessionStatus.ACCEPTED
    assert _validate(_message(used=FINGER), session=session).outcome is SessionStatus.ACCEPTED


def test_device_login_accepts_any_unlock() -> None:
    session = _facts(required_protection=DEVICE)
    for used in UnlockProtection:
        assert _validate(_message(used=used), session=session).outcome is SessionStatus.ACCEPTED


# --- validation: each check failing on its own -----------------------------------------


def _assert_failed(verdict: Verdict, check: Check, outcome: SessionStatus | None) -> None:
    assert verdict.failed is check, verdict
    assert verdict.outcome is outcome
    assert verdict.checks[-1].check is check
    assert not verdict.checks[-1].passed
    assert [c.check for c in verdict.checks] == list(Check)[: list(Check).index(check) + 1]
    assert verdict.reason == verdict.checks[-1].detail


def test_secure_channel_tag() -> None:
    raw = bytearray.fromhex(_message())
    raw[30] ^= 1
    verdict = _validate(raw.hex())
    _assert_failed(verdict, Check.SECURE_CHANNEL_TAG, None)
    assert verdict.reason == "secure channel message rejected"
    assert verdict.http_status == 400
    _assert_failed(_validate(_message(keys=OTHER)), Check.SECURE_CHANNEL_TAG, None)
    _assert_failed(_validate("zz"), Check.SECURE_CHANNEL_TAG, None)


def test_secure_channel_tag_requires_encryption_and_a_valid_body() -> None:
    verdict = _validate(_message(protection=Protection.MAC_ONLY))
    _assert_failed(verdict, Check.SECURE_CHANNEL_TAG, None)
    assert "0x01" in verdict.reason
    garbage = seal(
        type=MessageType.RESPONSE,
        protection=Protection.ENCRYPT_AND_MAC,
        serial=SERIAL,
        body=b"not json",
        keys=KEYS.device_to_server,
    )
    verdict = _validate(garbage)
    _assert_failed(verdict, Check.SECURE_CHANNEL_TAG, None)
    assert "invalid body" in verdict.reason


def test_serial_matches() -> None:
    # Authentic for the authenticator that sent it, but that is not the session's.
    verdict = _validate(_message(keys=OTHER, serial="PS87654321"), keys=OTHER,
                        authenticator_serial="PS87654321")  # fmt: skip
    _assert_failed(verdict, Check.SERIAL_MATCHES, None)
    assert verdict.http_status == 403
    # A header serial that is not the authenticator's whose keys opened it.
    verdict = _validate(_message(serial="PS87654321"))
    _assert_failed(verdict, Check.SERIAL_MATCHES, None)


def test_session_exists() -> None:
    _assert_failed(_validate(_message(), session=None), Check.SESSION_EXISTS, None)
    verdict = _validate(_message(), session=_facts(request_id="req-2"))
    _assert_failed(verdict, Check.SESSION_EXISTS, None)
    assert verdict.http_status == 404


@pytest.mark.parametrize("status", sorted(FINAL_STATUSES))
def test_session_pending(status: SessionStatus) -> None:
    verdict = _validate(_message(), session=_facts(status=status))
    _assert_failed(verdict, Check.SESSION_PENDING, None)
    assert verdict.reason.startswith("session outdated: ")
    assert verdict.http_status == 409


def test_not_expired() -> None:
    verdict = _validate(_message(), now=NOW + 50)
    _assert_failed(verdict, Check.NOT_EXPIRED, SessionStatus.TIMEOUT)
    assert verdict.http_status == 200  # it decided the session: timeout


def test_challenge_matches() -> None:
    session = _facts(challenge="ffeeddccbbaa99887766554433221100")
    _assert_failed(_validate(_message(), session=session), Check.CHALLENGE_MATCHES, None)


def test_signature_valid() -> None:
    # Claims PIN but signed with the device key: the phone was not unlocked with the PIN.
    verdict = _validate(_message(used=PIN, sign_with=DEVICE))
    _assert_failed(verdict, Check.SIGNATURE_VALID, SessionStatus.REFUSED)
    assert "pin instance key" in verdict.reason


def test_protection_sufficient() -> None:
    # A PIN login cannot be approved with the device key (NoPIN).
    verdict = _validate(_message(used=DEVICE))
    _assert_failed(verdict, Check.PROTECTION_SUFFICIENT, SessionStatus.REFUSED)
    assert verdict.reason == "protection insufficient: pin required, device used"
    verdict = _validate(_message(used=FINGER))
    _assert_failed(verdict, Check.PROTECTION_SUFFICIENT, SessionStatus.REFUSED)


def test_nonce_fresh() -> None:
    message, registry = _message(), NonceRegistry()
    assert _validate(message, nonce_is_fresh=registry.check_and_remember).outcome is not None
    verdict = _validate(message, nonce_is_fresh=registry.check_and_remember)
    _assert_failed(verdict, Check.NONCE_FRESH, None)
    assert verdict.http_status == 403


def test_authenticator_active() -> None:
    verdict = _validate(_message(), authenticator_active=False)
    _assert_failed(verdict, Check.AUTHENTICATOR_ACTIVE, SessionStatus.FAILURE)


def test_number_matches() -> None:
    request = dataclasses.replace(_request(), numbers=(12, 47, 83))
    session = _facts(number=47)
    good = _validate(_message(request=request, number=47), session=session)
    assert good.outcome is SessionStatus.ACCEPTED
    verdict = _validate(_message(request=request, number=12), session=session)
    _assert_failed(verdict, Check.NUMBER_MATCHES, SessionStatus.REFUSED)
    verdict = _validate(_message(request=request), session=session)  # no pick at all
    _assert_failed(verdict, Check.NUMBER_MATCHES, SessionStatus.REFUSED)
    rejected = _validate(_message(decision=Decision.REJECT, used=DEVICE), session=session)
    assert rejected.outcome is SessionStatus.REFUSED
    assert rejected.failed is None


def test_nonce_is_remembered_only_for_messages_that_decide() -> None:
    seen: list[bytes] = []

    def fresh(serial: str, nonce: bytes) -> bool:
        seen.append(nonce)
        return True

    _validate(_message(), session=None, nonce_is_fresh=fresh)
    assert seen == []
    _validate(_message(), nonce_is_fresh=fresh)
    assert len(seen) == 1


def test_request_id_of_response_never_raises() -> None:
    assert request_id_of_response(_message(), keys=KEYS) == "req-1"
    assert request_id_of_response(_message(), keys=OTHER) is None
    assert request_id_of_response("nonsense", keys=KEYS) is None
    assert request_id_of_response(_message(protection=Protection.MAC_ONLY), keys=KEYS) is None


def test_verdicts_cannot_be_built_inconsistent() -> None:
    verdict = _validate(_message())
    with pytest.raises(ValueError, match="failing check"):
        dataclasses.replace(verdict, failed=Check.NONCE_FRESH)
    with pytest.raises(ValueError, match="pending"):
        dataclasses.replace(verdict, outcome=SessionStatus.PENDING)
